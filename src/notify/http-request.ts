// One HTTP call for webhooks and pings: a timeout per attempt, bounded retries with backoff, secret-free messages.
import { setTimeout as sleep } from 'node:timers/promises';

/** How one notification request is made. */
export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  body?: string;
  contentType?: string;
  /** Limit of each attempt (connect, send, read the answer), ms. */
  timeoutMs: number;
  /** Attempts after the first, on network errors, timeouts, 5xx and 429 only. */
  retries: number;
  /** Delay before the first retry, doubled each time (capped at {@link MAX_DELAY_MS}). */
  baseDelayMs: number;
}

/** The longest wait between two attempts. */
export const MAX_DELAY_MS = 60_000;
const BODY_EXCERPT = 200;

/** What a successful request did. */
export interface HttpResult {
  status: number;
  attempts: number;
}

/**
 * `scheme://host[:port]` plus `/…` when there is more: the path and query of a webhook or ping URL
 * are often its secret (Slack hook tokens, healthchecks UUIDs), and userinfo always is.
 */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.length > 1 || u.search ? '/…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Sends the request; userinfo in `url` becomes a Basic Authorization header (fetch refuses it in URLs).
 * Resolves on a 2xx answer (redirects are followed). Throws an Error whose message names the last cause
 * and the number of attempts, and never contains the URL's path, query or userinfo.
 */
export async function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpResult> {
  const target = new URL(url);
  const headers: Record<string, string> = { 'user-agent': 'backup-agent' };
  if (target.username || target.password) {
    const credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  if (options.contentType) headers['content-type'] = options.contentType;
  const attempts = options.retries + 1;
  let last = '';
  let made = 0;
  while (made < attempts) {
    if (made > 0) await sleep(Math.min(options.baseDelayMs * 2 ** (made - 1), MAX_DELAY_MS));
    made += 1;
    const outcome = await attemptOnce(target, headers, options);
    if (outcome.ok) return { status: outcome.status, attempts: made };
    last = outcome.reason;
    if (!outcome.retryable) break;
  }
  throw new Error(`${last} (${made} attempt${made === 1 ? '' : 's'})`);
}

/** One attempt: a response with a 2xx status, or why not (and whether another attempt may help). */
type Outcome =
  | { ok: true; status: number; reason: ''; retryable: false }
  | { ok: false; status?: number; reason: string; retryable: boolean };

async function attemptOnce(
  target: URL,
  headers: Record<string, string>,
  options: HttpRequestOptions,
): Promise<Outcome> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await fetch(target, {
      method: options.method,
      headers,
      body: options.body,
      signal,
      redirect: 'follow',
    });
    const text = await response.text();
    if (response.ok) return { ok: true, status: response.status, reason: '', retryable: false };
    const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, BODY_EXCERPT);
    return {
      ok: false,
      status: response.status,
      reason: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${excerpt ? `: ${excerpt}` : ''}`,
      retryable: response.status >= 500 || response.status === 429,
    };
  } catch (error) {
    return { ok: false, reason: describeFetchError(error, signal, options.timeoutMs), retryable: true };
  }
}

/** `timed out after 10s`, `connect ECONNREFUSED 127.0.0.1:9`, … (undici hides the cause under "fetch failed"). */
function describeFetchError(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `timed out after ${timeoutMs / 1000}s`;
  const cause = (error as { cause?: unknown }).cause;
  const inner: NodeJS.ErrnoException | undefined =
    cause instanceof Error ? cause : error instanceof Error ? error : undefined;
  const code = inner?.code;
  const message = inner?.message ?? String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
