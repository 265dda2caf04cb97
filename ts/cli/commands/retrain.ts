// The `retrain` command, for a Kubernetes CronJob: train → evaluate → quality gate → promote.
// Idempotent: rerunning on the same data and parameters trains nothing new, and a version left
// ungated by a crash is gated on the rerun. It takes every `train` option.

import { parseArgs } from 'node:util';
import { loadEngine } from '../../engine/index.js';
import { DEFAULT_TOLERANCE, GATE_METRIC } from '../../model/lifecycle/gate.js';
import { retrain } from '../../model/lifecycle/retrain.js';
import { numberOption, UsageError, type Command } from '../command.js';
import { createProgress } from '../progress.js';
import { buildTrainOptions, TRAIN_OPTIONS } from './train.js';

const help = `recs retrain — the scheduled retrain: train → evaluate → quality gate → promote.

The new version becomes active only if its ${GATE_METRIC} is at least the active model's minus the
tolerance and it beats its popularity baseline; otherwise it stays a candidate and the reason is
printed and recorded in the registry history ("recs models show <version>"; "recs models promote
<version> --force" overrides).

Idempotent and safe to rerun after a crash: when a version with the same data fingerprint,
parameters and split exists, nothing is trained; if that version was never gated, it is gated now.

Options: every "recs train" option (see "recs train --help"; --no-activate and --no-evaluate do not
apply), plus
  --tolerance X           how far below the active model's ${GATE_METRIC} a candidate may be (default ${DEFAULT_TOLERANCE})
  --json                  print the outcome as JSON
`;

export const retrainCommand: Command = {
  name: 'retrain',
  summary: 'scheduled retrain: train, evaluate, gate and promote (idempotent)',
  help,
  async run(argv) {
    const { values } = parseArgs({ args: argv, strict: true, options: { ...TRAIN_OPTIONS, tolerance: { type: 'string' } } });
    if (values['no-activate']) throw new UsageError('--no-activate does not apply: retrain promotes through the gate');
    if (values['no-evaluate']) throw new UsageError('--no-evaluate does not apply: the gate needs the evaluation');
    const o = buildTrainOptions(values);
    const tolerance = numberOption('tolerance', values.tolerance, DEFAULT_TOLERANCE, { min: 0 });
    const progress = createProgress({ enabled: !o.json && !o.quiet });
    const r = await retrain(loadEngine(), o, progress, { tolerance });
    if (o.json) console.log(JSON.stringify(r, null, 2));
    else console.log(`retrain ${r.action}: ${r.message}\nactive version: ${r.active ?? '(none)'}`);
    return 0;
  },
};
