// Owns progress display on the terminal: one bar per stage on stderr, redrawn in place on a TTY,
// a line every few seconds otherwise, and nothing at all in --json or --quiet mode.

import type { Progress, Stage } from '../model/pipeline/progress.js';

export type { Progress, Stage };

const WIDTH = 28;

export function createProgress(opts: { enabled: boolean; stream?: NodeJS.WriteStream }): Progress {
  const stream = opts.stream ?? process.stderr;
  if (!opts.enabled) {
    const silent: Stage = { update() {}, done() {} };
    return { stage: () => silent, note() {} };
  }
  const tty = Boolean(stream.isTTY);
  return {
    note(text) {
      stream.write(`${text}\n`);
    },
    stage(name, total, unit = '') {
      const started = Date.now();
      let lastDraw = tty ? 0 : started;
      let last = 0;
      const line = (done: number, detail?: string): string => {
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        const extra = detail ? `  ${detail}` : '';
        if (total === null || total <= 0) return `${name.padEnd(10)} ${fmt(done)}${unit} ${secs}s${extra}`;
        const frac = Math.min(1, done / total);
        const filled = Math.round(frac * WIDTH);
        const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
        return `${name.padEnd(10)} ${bar} ${(frac * 100).toFixed(0).padStart(3)}%  ${fmt(done)}/${fmt(total)}${unit}  ${secs}s${extra}`;
      };
      return {
        update(done, detail) {
          last = done;
          const now = Date.now();
          if (tty) {
            if (now - lastDraw < 80) return;
            lastDraw = now;
            stream.write(`\r\x1b[2K${line(done, detail)}`);
          } else if (now - lastDraw >= 5000) {
            lastDraw = now;
            stream.write(`${line(done, detail)}\n`);
          }
        },
        done(detail) {
          stream.write(`${tty ? '\r\x1b[2K' : ''}${line(total ?? last, detail)}\n`);
        },
      };
    },
  };
}

function fmt(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}
