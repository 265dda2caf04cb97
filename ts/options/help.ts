// Owns the --help lines generated from option declarations: each group under its title, one entry
// per option (name, aliases, placeholder) with its description wrapped and its default stated.

import type { Opt, OptionGroup } from './declare.js';

/** Where descriptions start, and the width they wrap to. */
const COLUMN = 26;
const WIDTH = 104;
const NBSP = '\u00a0';

/** The default as --help states it, or '' when there is none to state. */
export function defaultText(opt: Opt<unknown>): string {
  if (opt.defaultHelp !== undefined) return `(default ${opt.defaultHelp})`;
  const d = opt.default === undefined ? undefined : String(opt.default);
  if (opt.env !== undefined) return d === undefined ? `(default $${opt.env})` : `(default $${opt.env}, else ${d})`;
  return d === undefined ? '' : `(default ${d})`;
}

/** One option's --help entry. */
export function optionHelp(name: string, opt: Opt<unknown>): string {
  const meta = opt.metavar === undefined ? '' : ` ${opt.metavar}`;
  const head = `  ${[name, ...(opt.aliases ?? [])].map((n) => `--${n}`).join(', ')}${meta}`;
  const def = defaultText(opt);
  const paragraphs = opt.help.split('\n');
  // a short default stays on one line
  if (def) paragraphs[0] = `${paragraphs[0]} ${def.length <= 24 ? def.replace(/ /g, NBSP) : def}`;
  const lines: string[] = [];
  let first = head.length < COLUMN - 1 ? head.padEnd(COLUMN) : `${head}  `;
  for (const p of paragraphs) {
    const verbatim = /^\s/.test(p);
    for (const line of verbatim ? [p] : wrap(p, WIDTH - first.length, WIDTH - COLUMN)) {
      lines.push(first + line.replaceAll(NBSP, ' '));
      first = ' '.repeat(COLUMN);
    }
  }
  return lines.join('\n');
}

/** The --help lines of option groups, each under its title. */
export function groupsHelp(groups: readonly OptionGroup[]): string {
  return groups
    .filter((g) => Object.keys(g.options).length > 0)
    .map(
      (g) =>
        `${g.title}:\n${Object.entries(g.options)
          .map(([n, o]) => optionHelp(n, o))
          .join('\n')}`,
    )
    .join('\n\n');
}

/** Words filled into lines of at most `firstWidth`, then `width`, characters (a longer word gets its own line). */
function wrap(text: string, firstWidth: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/).filter((w) => w !== '')) {
    const limit = lines.length === 0 ? firstWidth : width;
    if (line !== '' && line.length + 1 + word.length > limit) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}
