// Loopback HTTP proxies in front of moto: one fails chosen requests once with 503 SlowDown, one acts like a server with a skewed clock.
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

/** How far a SigV4 request time may be off before S3 answers RequestTimeTooSkewed. */
const MAX_SKEW_MS = 15 * 60_000;

export interface SkewedClockProxy {
  endpoint: string;
  /** Requests answered 403 RequestTimeTooSkewed, as `METHOD url`. */
  rejected: string[];
  close(): Promise<void>;
}

/**
 * Starts a proxy to `target` that acts like an S3 server whose clock is `skewMs` ahead of this host's:
 * a request whose X-Amz-Date is more than 15 minutes off that clock gets 403 RequestTimeTooSkewed (with
 * ServerTime and a Date header, as S3 sends them); the others are forwarded, their answers' Date header
 * set to that clock. moto itself does not check request times.
 */
export async function startSkewedClockProxy(target: string, skewMs: number): Promise<SkewedClockProxy> {
  const upstream = new URL(target);
  const rejected: string[] = [];
  const serverNow = () => new Date(Date.now() + skewMs);
  const server: Server = createServer((req, res) => {
    const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(req.headers['x-amz-date'] ?? ''));
    const sent = stamp ? Date.UTC(+stamp[1]!, +stamp[2]! - 1, +stamp[3]!, +stamp[4]!, +stamp[5]!, +stamp[6]!) : NaN;
    if (!(Math.abs(sent - serverNow().getTime()) <= MAX_SKEW_MS)) {
      rejected.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => {
        const now = serverNow();
        res.writeHead(403, { 'content-type': 'application/xml', date: now.toUTCString() });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message><RequestTime>${String(req.headers['x-amz-date'])}</RequestTime><ServerTime>${now.toISOString()}</ServerTime><MaxAllowedSkewMilliseconds>${MAX_SKEW_MS}</MaxAllowedSkewMilliseconds></Error>`);
      });
      return;
    }
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, date: serverNow().toUTCString() });
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    rejected,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
