// Reading a command line against the command tree, with commander's rules (the ones scripts rely on):
// - options are positional: the program's own (-V, -h) stand before the command word, a command's after it;
// - `<v>` takes the next word whatever it is, `[v]` the next word unless it looks like an option, `v...` every
//   word after it up to the next option; `--opt=value`, `-n5`, `-fz` work; `--` ends the options;
// - a passThroughOptions command (`exec`, `run`) gives everything from its first positional word on to its child;
// - the first unknown option is an error, unless -h/--help is there too (then the help wins).
// node's own util.parseArgs cuts the words into option and positional tokens; this file gives them meaning.
import { parseArgs } from 'node:util';
import { ArgsError } from './errors';
import { suggestSimilar } from './suggest';
import type { Command, Option } from './command';

/** What the command line asks for: run an action, print a help text (on stderr when `error`), or the version. */
export type Parsed =
  | { kind: 'action'; command: Command; args: unknown[] }
  | { kind: 'help'; command: Command; error: boolean }
  | { kind: 'version'; version: string };

const NEGATIVE_NUMBER = /^-(\d+|\d*\.\d+)(e[+-]?\d+)?$/;

type Word =
  | { kind: 'option'; index: number; raw: string; option?: Option; value?: string; inline: boolean }
  | { kind: 'positional'; index: number; value: string }
  | { kind: 'terminator'; index: number };

/** util.parseArgs's tokens as words: an unknown option keeps its text as typed (`-xf`, `--nope=3`). */
function tokenize(c: Command, args: string[]): Word[] {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const o of c.options)
    config[o.long?.slice(2) ?? `short:${o.short}`] = {
      type: o.required ? 'string' : 'boolean',
      ...(o.short ? { short: o.short.slice(1) } : {}),
    };
  const { tokens } = parseArgs({ args, options: config, strict: false, allowPositionals: true, tokens: true });
  const words: Word[] = [];
  let group = { index: -1, at: 0 }; // the position of a token inside a group of short options (`-fzx`)
  let done = -1; // a group taken as one word (`-1`, `-f5`'s `-5`): its other tokens are skipped
  for (const t of tokens) {
    group = t.index === group.index ? { index: t.index, at: group.at + 1 } : { index: t.index, at: 1 };
    if (t.index === done) continue;
    if (t.kind === 'option-terminator') words.push({ kind: 'terminator', index: t.index });
    else if (t.kind === 'positional') words.push({ kind: 'positional', index: t.index, value: t.value });
    else {
      const raw = group.at === 1 ? args[t.index]! : `-${args[t.index]!.slice(group.at)}`;
      if (NEGATIVE_NUMBER.test(raw) && !c.commands.length) {
        // `-1` is a word, not an option (none of ours is a digit)
        words.push({ kind: 'positional', index: t.index, value: raw });
        done = t.index;
        continue;
      }
      const option = c.findOption(t.rawName);
      words.push({ kind: 'option', index: t.index, raw, option, value: t.value, inline: t.inlineValue === true });
    }
  }
  return words;
}

/** Set an option's value as commander does: parser(value, previous), lists grow, no value means true (--no-x: false). */
function assign(values: Record<string, unknown>, o: Option, value: string | null): void {
  const key = o.attributeName();
  const previous = values[key];
  let v: unknown = value;
  if (value !== null && o.parser) v = o.parser(value, previous);
  else if (value !== null && o.variadic)
    v = previous === o.defaultValue || !Array.isArray(previous) ? [value] : [...(previous as unknown[]), value];
  values[key] = v ?? (o.negate ? false : o.required ? '' : true);
}

function unknownOption(c: Command, flag: string): ArgsError {
  const candidates = [...c.options.filter((o) => !o.hidden && o.long).map((o) => o.long!), '--help'];
  const suggestion = flag.startsWith('--') ? suggestSimilar(flag, candidates) : '';
  return new ArgsError('unknownOption', `error: unknown option '${flag}'${suggestion}`);
}

function unknownCommand(c: Command, name: string): ArgsError {
  const candidates = c.commands.flatMap((s) => [s.name, ...s.aliases.slice(0, 1)]);
  if (!c.handler) candidates.push('help');
  return new ArgsError('unknownCommand', `error: unknown command '${name}'${suggestSimilar(name, candidates)}`);
}

/** `help [command]`: that command's help, or this one's; an unknown name shows this one's on stderr. */
function helpCommand(c: Command, rest: string[]): Parsed {
  if (rest[0] === undefined) return { kind: 'help', command: c, error: false };
  const sub = c.findCommand(rest[0]);
  return sub ? { kind: 'help', command: sub, error: false } : { kind: 'help', command: c, error: true };
}

/** The action's arguments: each declared positional (the last one may take the rest), then the options. */
function actionArgs(c: Command, operands: string[], values: Record<string, unknown>): unknown[] {
  for (const [i, a] of c.arguments.entries())
    if (a.required && operands[i] === undefined) throw new ArgsError('missingArgument', `error: missing required argument '${a.name}'`);
  const declared = c.arguments.length;
  if (!c.arguments.at(-1)?.variadic && operands.length > declared) {
    const forSub = c.parent ? ` for '${c.name}'` : '';
    throw new ArgsError(
      'excessArguments',
      `error: too many arguments${forSub}. Expected ${declared} argument${declared === 1 ? '' : 's'} but got ${operands.length}.`,
    );
  }
  const positionals = c.arguments.map((a, i) => (a.variadic ? operands.slice(i) : operands[i]));
  return [...positionals, values, c];
}

/** Parse `args` (argv without node and the script) for `c`, descending into the sub-command they name. */
export function parseCommandLine(c: Command, args: string[]): Parsed {
  const words = tokenize(c, args);
  const values = c.initialValues();
  const operands: string[] = [];
  let unknown: string[] | undefined; // the first unknown option and every word after it
  let list: Option | undefined; // a variadic option taking the positional words after it
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    if (word.kind === 'terminator') {
      const rest = args.slice(word.index + 1);
      if (unknown) unknown.push('--', ...rest);
      else operands.push(...rest);
      break;
    }
    if (word.kind === 'positional') {
      if (list) {
        assign(values, list, word.value);
        continue;
      }
      if (!unknown && operands.length === 0 && c.commands.length) {
        const sub = c.findCommand(word.value);
        if (sub) return parseCommandLine(sub, args.slice(word.index + 1));
        if (word.value === 'help' && !c.handler) return helpCommand(c, args.slice(word.index + 1));
      }
      if (c.passThrough) {
        (unknown ?? operands).push(...args.slice(word.index));
        break;
      }
      (unknown ?? operands).push(word.value);
      continue;
    }
    list = undefined;
    const o = word.option;
    if (o && (o.required || o.optional || !word.inline)) {
      if (o.long === '--version' && c.versionText !== undefined) return { kind: 'version', version: c.versionText };
      if (o.required) {
        if (word.value === undefined) throw new ArgsError('optionMissingArgument', `error: option '${o.flags}' argument missing`);
        assign(values, o, word.value);
      } else if (o.optional) {
        const next = words[w + 1];
        if (word.inline) assign(values, o, word.value!);
        else if (next?.kind === 'positional') {
          assign(values, o, next.value);
          w++;
        } else assign(values, o, null);
      } else assign(values, o, null);
      if (o.variadic && !word.inline) list = o; // `--x=a b`: b is not x's
      continue;
    }
    // not one of this command's options (-h and --help included): the rest is checked below
    if (c.passThrough) {
      unknown = [...(unknown ?? []), word.raw, ...args.slice(word.index + 1)];
      break;
    }
    (unknown ??= []).push(word.raw);
    while (words[w + 1]?.index === word.index) w++; // the rest of `-xyz` went with it
  }

  const help = (unknown ?? []).some((a) => a === '-h' || a === '--help');
  if (c.commands.length) {
    const [first, ...rest] = operands;
    const sub = c.findCommand(first);
    if (sub) return parseCommandLine(sub, ['--', ...rest]);
    if (first === 'help' && !c.handler) return helpCommand(c, rest);
    if (!c.handler && first === undefined && !unknown) return { kind: 'help', command: c, error: true };
    if (help) return { kind: 'help', command: c, error: false };
    if (first !== undefined) throw unknownCommand(c, first);
    throw unknownOption(c, unknown![0]!);
  }
  if (help) return { kind: 'help', command: c, error: false };
  if (unknown) throw unknownOption(c, unknown[0]!);
  return { kind: 'action', command: c, args: actionArgs(c, operands, values) };
}
