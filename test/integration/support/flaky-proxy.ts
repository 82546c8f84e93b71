// A loopback HTTP proxy in front of moto that fails chosen requests once with 503 SlowDown.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FlakyProxy {
  endpoint: string;
  /** Requests answered 503 so far, as `METHOD url`. */
  failed: string[];
  close(): Promise<void>;
}

/**
 * Starts a proxy to `target` that answers the first `times` requests matching `shouldFail` with
 * 503 SlowDown (S3's throttling error), and forwards everything else unchanged (Host included,
 * so SigV4 signatures stay valid).
 */
export async function startFlakyProxy(target: string, shouldFail: (req: IncomingMessage) => boolean, times = 1): Promise<FlakyProxy> {
  const upstream = new URL(target);
  const failed: string[] = [];
  const server: Server = createServer((req, res) => {
    if (failed.length < times && shouldFail(req)) {
      failed.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      });
      return;
    }
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failed,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
