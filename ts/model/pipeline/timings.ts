// Owns timing the steps of a pipeline run (load, prepare, fit, top-k, …): each named step's
// seconds, rounded to the millisecond, as manifests record them in `timings`.

/** `time(name, f)`: runs `f`, records its seconds under `name` in `timings`, returns its result. */
export function stepTimer(timings: Record<string, number>): <T>(name: string, f: () => Promise<T> | T) => Promise<T> {
  return async (name, f) => {
    const t = performance.now();
    const r = await f();
    timings[name] = Math.round(performance.now() - t) / 1000;
    return r;
  };
}
