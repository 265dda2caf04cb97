// Owns the public surface of ts/serve: starting the recommendation API and the pieces other
// modules (the CLI, the benchmarks) build on.

export { startServer, type CloseResult, type RunningServer, type ServerOptions } from './server.js';
export { closeOnSignals } from './shutdown.js';
export { embeddedStoreFactory, type StoreFactory } from './serving-model.js';
export type { PreparedModel } from './prepared.js';
export { LOG_LEVELS, type LogLevel } from './logger.js';
export { loadUws, UwsLoadError } from './uws.js';
export { AuthConfigError } from './auth.js';
