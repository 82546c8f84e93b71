// Loopback HTTP proxies in front of moto: one fails chosen requests once with 503 SlowDown, one acts like a server with a skewed clock.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Sends `req` on to the target and its answer back, with `date` as the answer's Date header if given. */
type Forward = (req: IncomingMessage, res: ServerResponse, date?: string) => void;

/** Starts a loopback HTTP server that hands each request to `handle`, which may forward it to `target` unchanged (Host included, so SigV4 signatures stay valid). */
async function startProxy(
  target: string,
  handle: (req: IncomingMessage, res: ServerResponse, forward: Forward) => void,
) {
  const upstream = new URL(target);
  const forward: Forward = (req, res, date) => {
    const onward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...(date ? { date } : {}) });
        answer.pipe(res);
      },
    );
    onward.on('error', () => res.destroy());
    req.pipe(onward);
  };
  const server: Server = createServer((req, res) => handle(req, res, forward));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers `req` (once its body was read) with `status` and an S3 error document. */
function answerError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  xml: string,
  headers: Record<string, string> = {},
): void {
  req.resume();
  req.on('end', () => {
    res.writeHead(status, { 'content-type': 'application/xml', ...headers });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error>${xml}</Error>`);
  });
}

export interface FlakyProxy {
  endpoint: string;
  /** Requests answered 503 so far, as `METHOD url`. */
  failed: string[];
  close(): Promise<void>;
}

/**
 * Starts a proxy to `target` that answers the first `times` requests matching `shouldFail` with
 * 503 SlowDown (S3's throttling error), and forwards everything else unchanged.
 */
export async function startFlakyProxy(
  target: string,
  shouldFail: (req: IncomingMessage) => boolean,
  times = 1,
): Promise<FlakyProxy> {
  const failed: string[] = [];
  const proxy = await startProxy(target, (req, res, forward) => {
    if (failed.length < times && shouldFail(req)) {
      failed.push(`${req.method} ${req.url}`);
      answerError(req, res, 503, '<Code>SlowDown</Code><Message>Please reduce your request rate.</Message>');
    } else {
      forward(req, res);
    }
  });
  return { ...proxy, failed };
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
  const rejected: string[] = [];
  const serverNow = () => new Date(Date.now() + skewMs);
  const proxy = await startProxy(target, (req, res, forward) => {
    const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(req.headers['x-amz-date'] ?? ''));
    const sent = stamp ? Date.UTC(+stamp[1]!, +stamp[2]! - 1, +stamp[3]!, +stamp[4]!, +stamp[5]!, +stamp[6]!) : NaN;
    const now = serverNow();
    if (Math.abs(sent - now.getTime()) <= MAX_SKEW_MS) {
      forward(req, res, now.toUTCString());
      return;
    }
    rejected.push(`${req.method} ${req.url}`);
    answerError(
      req,
      res,
      403,
      '<Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message>' +
        `<RequestTime>${String(req.headers['x-amz-date'])}</RequestTime><ServerTime>${now.toISOString()}</ServerTime><MaxAllowedSkewMilliseconds>${MAX_SKEW_MS}</MaxAllowedSkewMilliseconds>`,
      { date: now.toUTCString() },
    );
  });
  return { ...proxy, rejected };
}
