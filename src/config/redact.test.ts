import { describe, expect, it } from 'vitest';
import { parseConfig } from './load-config.js';
import { redactConfig } from './redact.js';

describe('redactConfig', () => {
  it('hides passwords, secrets and tokenised URLs but keeps paths to secret files', () => {
    const config = parseConfig(
      `
destination:
  type: s3
  bucket: acme
  credentials: { access_key_id: AKIAEXAMPLE, secret_access_key: "very-secret-key" }
notify:
  webhook: { url: "https://hooks.slack.com/services/T000/B000/XXXXSECRET" }
  ping: { fail: "https://hc-ping.com/5f0b-uuid-secret/fail" }
assets:
  - { name: db, type: mysql, databases: [shop], password: "db-pass", defaults_file: /etc/my.cnf }
`,
      '/etc/ba/config.yml',
      {},
    );
    const text = JSON.stringify(redactConfig(config));
    for (const secret of ['very-secret-key', 'XXXXSECRET', '5f0b-uuid-secret', 'db-pass'])
      expect(text).not.toContain(secret);
    expect(text).toContain('"url":"https://hooks.slack.com/[redacted]"');
    expect(text).toContain('"defaults_file":"/etc/my.cnf"');
    expect(text).toContain('"password":"[redacted]"');
  });
});
