#!/usr/bin/env node
// Owns a stand-alone entry for the API: `node dist/ts/cli/serve-main.js [serve options]` runs the
// `serve` command without the rest of the CLI (the tests start the server this way as a child
// process, and a container can use it as its command).

import { UsageError } from './command.js';
import { serveCommand } from './commands/serve.js';

const argv = process.argv.slice(2);
try {
  if (argv.includes('--help') || argv.includes('-h')) console.log(serveCommand.help);
  else process.exitCode = await serveCommand.run(argv);
} catch (e) {
  const usage = e instanceof UsageError || (e instanceof TypeError && String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS'));
  console.error(`recs serve: ${(e as Error).message}`);
  if (process.env['RECS_DEBUG']) console.error(e);
  process.exitCode = usage ? 2 : 1;
}
