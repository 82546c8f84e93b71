// The webhook channel: one JSON POST that Slack-style chats display (`text`) and scripts can parse (the rest).
import type { NotifyConfig } from '../config/schema.js';
import { httpRequest, type HttpResult } from './http-request.js';
import type { AssetSummary, RunSummary } from './run-summary.js';

export type WebhookConfig = NonNullable<NotifyConfig['webhook']>;

/** The JSON body posted to the webhook. */
export interface WebhookPayload {
  /** Slack/Mattermost/Teams-compatible one-liner: subject plus the first failure reasons. */
  text: string;
  host: string;
  status: string;
  exit_code: number;
  run_id: string;
  manifest_key: string | null;
  error: string | null;
  assets_total: number;
  assets_failed: number;
  assets: AssetSummary[];
}

/** Builds the webhook body from a run summary (pure). */
export function webhookPayload(summary: RunSummary): WebhookPayload {
  return {
    text: summary.headline,
    host: summary.host,
    status: summary.status,
    exit_code: summary.exit_code,
    run_id: summary.run_id,
    manifest_key: summary.manifest_key ?? null,
    error: summary.error ?? null,
    assets_total: summary.total,
    assets_failed: summary.failed,
    assets: summary.assets,
  };
}

/**
 * POSTs the payload, each attempt limited to `webhook.timeout`, retrying network errors, timeouts, 5xx
 * and 429 up to `webhook.retries` times after `baseDelayMs`, 2×, 4×… Throws as {@link httpRequest}.
 */
export function sendWebhook(webhook: WebhookConfig, summary: RunSummary, baseDelayMs: number): Promise<HttpResult> {
  return httpRequest(webhook.url, {
    method: 'POST',
    body: JSON.stringify(webhookPayload(summary)),
    contentType: 'application/json',
    timeoutMs: webhook.timeout,
    retries: webhook.retries,
    baseDelayMs,
  });
}
