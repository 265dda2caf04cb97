// The option declarations, their parser and their --help lines, for every command and for any layer
// (an algorithm's parameters included) that contributes a group of options.

export { choice, flag, group, num, text, type GroupValues, type Opt, type OptionGroup, type Values } from './declare.js';
export { UsageError } from './errors.js';
export { groupsHelp, optionHelp } from './help.js';
export { closest, parseOptions, type Parsed, type ParseSettings } from './parse.js';
