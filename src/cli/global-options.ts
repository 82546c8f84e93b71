// What the program-level flags (global-flags.ts) parse into; every command's action receives it.

/** What the global flags parse into; each command's action receives it. */
export interface GlobalOptions {
  config: string;
  verbose?: boolean;
  quiet?: boolean;
}
