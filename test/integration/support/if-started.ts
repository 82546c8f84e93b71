// Teardown after a beforeAll that may have thrown before assigning everything it starts.

/**
 * Returns `value` typed as possibly undefined, for afterAll hooks: a module-level `let moto: MotoServer`
 * is still undefined there when beforeAll failed before assigning it, whatever its declared type says.
 * `await ifStarted(moto)?.stop()` then skips what never started instead of masking the real failure.
 */
export function ifStarted<T>(value: T): T | undefined {
  return value;
}
