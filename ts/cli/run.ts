// Owns dispatching `recs <command> …` to one command per file in ./commands, printing usage and
// turning errors into exit codes (2 for bad arguments, 1 for failures).

import type { Command } from './command.js';
import { UsageError } from './command.js';
import { commands } from './commands/index.js';
import { closest } from '../options/index.js';
import { packageVersion } from './version.js';

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `recs — real-time recommendation service

Usage: recs <command> [options]     (pnpm <command> runs the same)

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "recs <command> --help" for a command's options; "recs --version" prints the version.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(`recs ${packageVersion()}`);
    return 0;
  }
  const cmd: Command | undefined = commands.find((c) => c.name === name);
  if (!cmd) {
    const hint = closest(
      name,
      commands.map((c) => c.name),
      (c) => `; did you mean "${c}"?`,
    );
    console.error(`recs: unknown command "${name}"${hint}\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`recs ${cmd.name}: ${(e as Error).message}\nRun "recs ${cmd.name} --help" for the options.`);
      return 2;
    }
    console.error(`recs ${cmd.name}: ${(e as Error).message}`);
    if (process.env.RECS_DEBUG) console.error(e);
    return 1;
  }
}
