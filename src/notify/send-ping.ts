// The dead-man switch (healthchecks.io style): GET at start and on success, POST the reason on failure.
import type { NotifyConfig } from '../config/schema.js';
import { httpRequest, type HttpResult } from './http-request.js';

export type PingConfig = NonNullable<NotifyConfig['ping']>;
export type PingEvent = 'start' | 'success' | 'fail';

/** Retries of a ping: one, so a blip doesn't raise a false alarm, yet a dead server costs at most two timeouts. */
export const PING_RETRIES = 1;

/**
 * Pings the URL configured for `event`: GET for start/success; POST with `body` (text/plain) for fail, so the
 * reason shows in the check's event log. Resolves undefined when no URL is set for the event.
 * Throws as {@link httpRequest}.
 */
export async function sendPing(
  ping: PingConfig,
  event: PingEvent,
  body: string,
  baseDelayMs: number,
): Promise<HttpResult | undefined> {
  const url = ping[event];
  if (url === undefined) return undefined;
  const common = { timeoutMs: ping.timeout, retries: PING_RETRIES, baseDelayMs };
  return event === 'fail'
    ? httpRequest(url, { ...common, method: 'POST', body, contentType: 'text/plain; charset=utf-8' })
    : httpRequest(url, { ...common, method: 'GET' });
}
