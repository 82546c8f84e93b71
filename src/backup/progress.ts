// The contract between the pipeline and a progress display: artifacts register live byte counters,
// the display polls them; nothing is computed per chunk for it.

/** Live counters of one artifact being uploaded. */
export interface ArtifactMeter {
  /** Uncompressed bytes read from the source so far. */
  read(): number;
  /** Bytes handed to the destination so far (compressed, encrypted). */
  stored(): number;
  /** Expected final read(), when the source knows it (files, once listed); undefined otherwise (dumps). */
  total(): number | undefined;
}

/** Where artifacts announce themselves while they stream; a display implements it. */
export interface ProgressTracker {
  /** Registers an artifact under `label` (`files "www"`, `mysql "db" (shop)`); call end() when it finished. */
  begin(label: string, meter: ArtifactMeter): { end(): void };
}
