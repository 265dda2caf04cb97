// Owns reacting to SIGTERM and SIGINT: the first one closes the server gracefully (stop
// accepting, finish the requests in flight, within the deadline) and then exits, 0 when every
// request finished and 1 when some had to be cut off; a second signal exits at once. A hard
// timer exits even if closing itself hangs.

import type { RunningServer } from './server.js';

export interface SignalOptions {
  deadlineMs: number;
  /** Called with the exit code once the server closed (default process.exit). */
  exit?: (code: number) => void;
  /** Called on a second signal or when closing hangs past the deadline (default process.exit). */
  forceExit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

/** Installs the handlers; returns a function that removes them. */
export function closeOnSignals(server: RunningServer, o: SignalOptions): () => void {
  const exit = o.exit ?? ((code: number) => process.exit(code));
  const forceExit = o.forceExit ?? ((code: number) => process.exit(code));
  const signals = o.signals ?? ['SIGTERM', 'SIGINT'];
  let received: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      server.log.warn({ signal }, 'second signal: exiting now');
      return forceExit(signal === 'SIGINT' ? 130 : 143);
    }
    received = signal;
    server.log.info({ signal, deadlineMs: o.deadlineMs }, 'signal received: shutting down gracefully');
    const hard = setTimeout(() => {
      server.log.error('shutdown did not complete in time; exiting');
      forceExit(1);
    }, o.deadlineMs + 2000);
    hard.unref();
    server.close({ deadlineMs: o.deadlineMs }).then(
      (r) => exit(r.clean ? 0 : 1),
      (e: unknown) => {
        server.log.error({ err: e }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
