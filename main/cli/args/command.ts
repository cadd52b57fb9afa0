// The command tree the CLI declares: the fluent subset of commander's Command our commands use (`command`,
// `alias`, `description`, `option`, `addOption`, `action`, `passThroughOptions`, `usage`, `addHelpText`).
// Pure data: parse.ts reads a command line against it, help.ts renders it.

/** A positional argument of a command: `<name>` required, `[name]` optional, `name...` the rest. */
export interface Argument {
  name: string;
  required: boolean;
  variadic: boolean;
}

/** A value parser: the word, and what the option held before (its default, or the previous occurrence's value). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each parser has its own value type
export type ValueParser = (value: string, previous: any) => unknown;

/** An option, from flags like `-i, --instance <id>`, `--shared-overlay [folders...]`, `--no-wait`. */
export class Option {
  readonly short?: string;
  readonly long?: string;
  /** takes a value: `<v>` (required) or `[v]` (optional: only when a word that is not an option follows) */
  readonly required: boolean;
  readonly optional: boolean;
  /** `<v...>` / `[v...]`: the words after it are more values */
  readonly variadic: boolean;
  /** `--no-x`: sets x to false */
  readonly negate: boolean;
  hidden = false;
  defaultValue?: unknown;
  parser?: ValueParser;

  constructor(
    readonly flags: string,
    readonly description = '',
  ) {
    const words = flags.split(/[ |,]+/).filter(Boolean);
    for (const w of words) {
      if (/^--[^-]/.test(w)) this.long = w;
      else if (/^-[^-]$/.test(w)) this.short = w;
    }
    if (!this.long && !this.short) throw new Error(`Option flags "${flags}" name no option`);
    this.required = flags.includes('<');
    this.optional = flags.includes('[');
    this.variadic = /\w\.\.\.[>\]]$/.test(flags);
    this.negate = this.long?.startsWith('--no-') ?? false;
  }

  hideHelp(hide = true): this {
    this.hidden = hide;
    return this;
  }

  /** The key in the options object: `--no-shared-overlay` → sharedOverlay, `--new-branch` → newBranch. */
  attributeName(): string {
    const name = (this.long ?? this.short!).replace(/^--?/, '').replace(/^no-/, '');
    return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  }

  /** Whether `arg` is this option's short or long flag. */
  is(arg: string): boolean {
    return arg === this.short || arg === this.long;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- positionals then the options object, as each command reads them
export type ActionHandler = (...args: any[]) => unknown;

export class Command {
  readonly commands: Command[] = [];
  readonly options: Option[] = [];
  readonly arguments: Argument[] = [];
  readonly aliases: string[] = [];
  parent?: Command;
  handler?: ActionHandler;
  passThrough = false;
  versionText?: string;
  customUsage?: string;
  about = '';
  readonly helpText: { before: string[]; after: string[] } = { before: [], after: [] };

  constructor(readonly name: string) {}

  /** A sub-command, from `name <required> [optional] [rest...]`; returns it. */
  command(nameAndArgs: string): Command {
    const [name, ...args] = nameAndArgs.trim().split(/ +/);
    const sub = new Command(name!);
    for (const a of args) {
      const m = /^([<[])(.+?)(\.\.\.)?[>\]]$/.exec(a);
      if (!m) throw new Error(`Bad argument "${a}" in command "${nameAndArgs}"`);
      sub.arguments.push({ name: m[2]!, required: m[1] === '<', variadic: !!m[3] });
    }
    sub.parent = this;
    this.commands.push(sub);
    return sub;
  }

  alias(alias: string): this {
    this.aliases.push(alias);
    return this;
  }

  description(text: string): this {
    this.about = text;
    return this;
  }

  usage(text: string): this {
    this.customUsage = text;
    return this;
  }

  /** `-V, --version`: prints the version. */
  version(text: string): this {
    this.versionText = text;
    return this.addOption(new Option('-V, --version', 'output the version number'));
  }

  addHelpText(position: 'before' | 'after', text: string): this {
    this.helpText[position].push(text);
    return this;
  }

  /** Everything after the command's first positional word (or `--`) goes to it untouched (`exec <cmd...>`). */
  passThroughOptions(): this {
    this.passThrough = true;
    return this;
  }

  /** `option(flags, description, default?)` or `option(flags, description, parser, default?)`. */
  option(flags: string, description: string, parserOrDefault?: unknown, defaultValue?: unknown): this {
    const option = new Option(flags, description);
    if (typeof parserOrDefault === 'function') {
      option.parser = parserOrDefault as ValueParser;
      option.defaultValue = defaultValue;
    } else {
      option.defaultValue = parserOrDefault;
    }
    return this.addOption(option);
  }

  addOption(option: Option): this {
    this.options.push(option);
    return this;
  }

  action(fn: ActionHandler): this {
    this.handler = fn;
    return this;
  }

  findCommand(name: string | undefined): Command | undefined {
    return name === undefined ? undefined : this.commands.find((c) => c.name === name || c.aliases.includes(name));
  }

  findOption(arg: string): Option | undefined {
    return this.options.find((o) => o.is(arg));
  }

  /** The names from the program down to this command: `ktrdr-sandbox snapshot save`. */
  path(): string {
    return this.parent ? `${this.parent.path()} ${this.name}` : this.name;
  }

  /** The options object before parsing: defaults, and `--no-x` → x: true unless `--x` is declared too. */
  initialValues(): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const o of this.options) {
      const key = o.attributeName();
      if (o.negate) {
        const positive = this.findOption(o.long!.replace(/^--no-/, '--'));
        if (!positive) values[key] = o.defaultValue ?? true;
      } else if (o.defaultValue !== undefined) {
        values[key] = o.defaultValue;
      }
    }
    return values;
  }
}
