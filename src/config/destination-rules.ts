// Cross-field rules of `destination:` / `destinations:` on the raw document: exactly one of the two,
// unique names, and each destination's credential and SSE combinations.
import type { RuleProblem } from './rule-problem.js';

/** Every problem of the destinations in the raw document `root`. */
export function destinationProblems(root: Record<string, unknown>): RuleProblem[] {
  return [
    ...destinationCountRules(root),
    ...destinationEntries(root).flatMap(([path, d]) => destinationRules(d, path)),
  ];
}

/** `destination` or `destinations`, exactly one; names unique. */
function destinationCountRules(root: Record<string, unknown>): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (root.destination !== undefined && root.destinations !== undefined)
    problems.push({
      path: ['destinations'],
      message: 'set destination (one) or destinations (a list), not both: move destination into the list, with a name',
    });
  if (root.destination === undefined && root.destinations === undefined)
    problems.push({
      path: ['destination'],
      message: 'missing (a destination with type: s3 or local is required, or destinations: a list of named ones)',
    });
  const seen = new Set<unknown>();
  destinationEntries(root).forEach(([path, d]) => {
    if (path.length < 2 || typeof d.name !== 'string') return;
    if (seen.has(d.name)) problems.push({ path: [...path, 'name'], message: `duplicate destination name "${d.name}"` });
    seen.add(d.name);
  });
  return problems;
}

/** Every destination of the raw document with its path: `destination`, or each of `destinations`. */
function destinationEntries(root: Record<string, unknown>): [(string | number)[], Record<string, unknown>][] {
  const asRecord = (value: unknown) =>
    (value !== null && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  if (Array.isArray(root.destinations))
    return root.destinations.map((d: unknown, index) => [['destinations', index], asRecord(d)]);
  return [[['destination'], asRecord(root.destination)]];
}

/** Credential and SSE rules of one destination at `at`. */
function destinationRules(destination: Record<string, unknown>, at: (string | number)[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const credentials = (destination.credentials ?? {}) as Record<string, unknown>;
  if ((credentials.access_key_id === undefined) !== (credentials.secret_access_key === undefined)) {
    problems.push({
      path: [...at, 'credentials'],
      message: 'set access_key_id and secret_access_key together',
    });
  }
  if (credentials.key_file !== undefined && credentials.access_key_id !== undefined) {
    problems.push({
      path: [...at, 'credentials', 'access_key_id'],
      message: 'set key_file or access_key_id, not both',
    });
  }
  if (credentials.session_token !== undefined && credentials.access_key_id === undefined) {
    problems.push({
      path: [...at, 'credentials', 'session_token'],
      message: 'session_token needs access_key_id and secret_access_key',
    });
  }
  if (
    (credentials.external_id !== undefined || credentials.session_name !== undefined) &&
    credentials.role_arn === undefined
  ) {
    problems.push({
      path: [...at, 'credentials', 'role_arn'],
      message: 'external_id and session_name need role_arn',
    });
  }
  const sse = (destination.sse ?? {}) as Record<string, unknown>;
  if (sse.type === 'AES256' && (sse.kms_key_id !== undefined || sse.bucket_key !== undefined)) {
    problems.push({ path: [...at, 'sse', 'type'], message: 'kms_key_id and bucket_key need type aws:kms' });
  }
  return problems;
}
