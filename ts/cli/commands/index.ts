// The list of CLI commands, in the order `recs --help` shows them.

import type { Command } from '../command.js';
import { evaluateCommand } from './evaluate.js';
import { experimentsCommand } from './experiments.js';
import { importCommand } from './import.js';
import { itemsCommand } from './items.js';
import { loadCommand } from './load.js';
import { modelsCommand } from './models.js';
import { retrainCommand } from './retrain.js';
import { scoreCommand } from './score.js';
import { serveCommand } from './serve.js';
import { startCommand } from './start.js';
import { trainCommand } from './train.js';
import { tuneCommand } from './tune.js';

export const commands: Command[] = [
  startCommand,
  trainCommand,
  tuneCommand,
  evaluateCommand,
  serveCommand,
  loadCommand,
  modelsCommand,
  experimentsCommand,
  retrainCommand,
  scoreCommand,
  importCommand,
  itemsCommand,
];
