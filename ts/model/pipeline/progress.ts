// Owns the progress-reporting interface the pipeline reports through; the CLI draws it as bars,
// tests and libraries pass `silentProgress`.

export interface Progress {
  /** Starts a stage with a known total (or null for an unknown total). */
  stage(name: string, total: number | null, unit?: string): Stage;
  /** A one-off informational line. */
  note(text: string): void;
}

export interface Stage {
  update(done: number, detail?: string): void;
  done(detail?: string): void;
}

const silentStage: Stage = { update() {}, done() {} };
export const silentProgress: Progress = { stage: () => silentStage, note() {} };
