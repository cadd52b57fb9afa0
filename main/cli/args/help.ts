// The help text of a command, in commander's layout: the Usage line, the description, then the Options and
// Commands sections with their descriptions aligned and wrapped to the terminal's width (80 off a terminal).
import type { Argument, Command, Option } from './command';

const HELP_OPTION = { flags: '-h, --help', description: 'display help for command' };
const HELP_COMMAND = { term: 'help [command]', description: 'display help for command' };
/** Below this many columns for a description, it is not wrapped at all. */
const MIN_WIDTH_TO_WRAP = 40;

function argName(a: Argument): string {
  const name = a.name + (a.variadic ? '...' : '');
  return a.required ? `<${name}>` : `[${name}]`;
}

/** `create [options] <name>`, as the parent lists it. */
function subcommandTerm(c: Command): string {
  const args = c.arguments.map(argName).join(' ');
  return c.name + (c.aliases[0] ? `|${c.aliases[0]}` : '') + (c.options.length ? ' [options]' : '') + (args ? ` ${args}` : '');
}

/** `ktrdr-sandbox list|ls [options]`. */
function usageOf(c: Command): string {
  const usage = c.customUsage ?? ['[options]', ...(c.commands.length ? ['[command]'] : []), ...c.arguments.map(argName)].join(' ');
  const name = c.name + (c.aliases[0] ? `|${c.aliases[0]}` : '');
  return `${c.parent ? `${c.parent.path()} ` : ''}${name} ${usage}`;
}

function optionDescription(o: Option): string {
  const showDefault = o.defaultValue !== undefined && (o.required || o.optional);
  return showDefault ? `${o.description} (default: ${JSON.stringify(o.defaultValue)})`.trimStart() : o.description;
}

/** Wrap at whitespace to `width` columns, keeping the text's own line breaks. */
export function wrap(text: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  const out: string[] = [];
  for (const line of text.split(/\r\n|\n/)) {
    const chunks = line.match(/\s*\S+/g);
    if (!chunks) {
      out.push('');
      continue;
    }
    let current = chunks.shift()!;
    for (const chunk of chunks) {
      if (current.length + chunk.length <= width) current += chunk;
      else {
        out.push(current);
        current = chunk.trimStart();
      }
    }
    out.push(current);
  }
  return out.join('\n');
}

/** `  term    description`, the description wrapped and its lines indented under its first. */
function item(term: string, termWidth: number, description: string, width: number): string {
  if (!description) return `  ${term}`;
  const remaining = width - termWidth - 4;
  const text =
    remaining < MIN_WIDTH_TO_WRAP || /\n[^\S\r\n]/.test(description)
      ? description
      : wrap(description, remaining).replace(/\n/g, `\n${' '.repeat(termWidth + 2)}`);
  return `  ${term.padEnd(termWidth)}  ${text.replace(/\n/g, '\n  ')}`;
}

/** The full help of `c`, ending with a newline, for a terminal `width` columns wide. */
export function helpText(c: Command, width = 80): string {
  const options: Array<[string, string]> = c.options.filter((o) => !o.hidden).map((o) => [o.flags, optionDescription(o)]);
  options.push([HELP_OPTION.flags, HELP_OPTION.description]);
  const commands: Array<[string, string]> = c.commands.map((s) => [subcommandTerm(s), s.about]);
  if (c.commands.length && !c.handler) commands.push([HELP_COMMAND.term, HELP_COMMAND.description]);
  const termWidth = Math.max(...[...options, ...commands].map(([term]) => term.length));

  const lines = [`Usage: ${usageOf(c)}`, ''];
  if (c.about) lines.push(wrap(c.about, width), '');
  for (const [heading, items] of [
    ['Options:', options],
    ['Commands:', commands],
  ] as const) {
    if (items.length) lines.push(heading, ...items.map(([term, d]) => item(term, termWidth, d, width)), '');
  }
  const text = lines.join('\n');
  const before = c.helpText.before.map((t) => `${t}\n`).join('');
  const after = c.helpText.after.map((t) => `${t}\n`).join('');
  return before + text + after;
}
