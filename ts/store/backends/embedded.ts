// Owns the embedded back end: the artifact's top-k table held in the server's process
// (../embedded.ts). Nothing to configure and nothing to load: a version is served from its artifact.

import type { StoreBackend } from '../backend.js';
import { EmbeddedStore } from '../embedded.js';

export const embeddedBackend: StoreBackend<Record<string, never>, 'embedded'> = {
  kind: 'embedded',
  summary: "the model's own top-k table, in the server's memory (one machine, or every replica its own copy)",
  remote: false,
  settings: () => ({}),
  factory: () => (p) => new EmbeddedStore(p.table),
};
