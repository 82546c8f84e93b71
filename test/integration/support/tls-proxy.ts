// A loopback TLS-terminating proxy with a private CA (made by openssl), so tests meet real certificate checks.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** A private CA and a server certificate it signed, as PEM files in one directory. */
export interface TestPki {
  /** The CA certificate (what `ca_file` points at). */
  caFile: string;
  /** Server certificate followed by the CA, as servers usually send the chain. */
  chainFile: string;
  keyFile: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Creates a CA and a server certificate for `altNames` (openssl subjectAltName syntax, default
 * `IP:127.0.0.1`) in `dir`. P-256 keys, valid for two days. Throws if openssl fails.
 */
export function makeTestPki(dir: string, altNames = 'IP:127.0.0.1', name = 'server'): TestPki {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    `${name}-ca.key`,
    '-out',
    `${name}-ca.pem`,
    '-days',
    '2',
    '-subj',
    '/CN=backup-agent test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl(dir, [
    'req',
    ...ec,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    '/CN=backup-agent test server',
  ]);
  writeFileSync(
    join(dir, `${name}.ext`),
    `subjectAltName=${altNames}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${name}-ca.pem`,
    '-CAkey',
    `${name}-ca.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
  const chainFile = join(dir, `${name}-chain.pem`);
  writeFileSync(
    chainFile,
    readFileSync(join(dir, `${name}.pem`), 'utf8') + readFileSync(join(dir, `${name}-ca.pem`), 'utf8'),
  );
  return { caFile: join(dir, `${name}-ca.pem`), chainFile, keyFile: join(dir, `${name}.key`) };
}

/** A running TLS proxy. */
export interface TlsProxy {
  /** `https://127.0.0.1:PORT`. */
  endpoint: string;
  /** Requests forwarded so far, as `METHOD url`. */
  forwarded: string[];
  close(): Promise<void>;
}

/**
 * Starts an HTTPS server on 127.0.0.1 presenting `pki`'s chain, forwarding every request to the
 * plain-HTTP `target` unchanged (Host included, so SigV4 signatures stay valid).
 */
export async function startTlsProxy(target: string, pki: TestPki): Promise<TlsProxy> {
  const upstream = new URL(target);
  const forwarded: string[] = [];
  const server: Server = createServer(
    { cert: readFileSync(pki.chainFile), key: readFileSync(pki.keyFile) },
    (req, res) => {
      forwarded.push(`${req.method} ${req.url}`);
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    },
  );
  // Handshakes the client refuses end here; they are the point of the tests, not failures.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    forwarded,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
