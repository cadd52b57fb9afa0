// A command tree with every feature the CLI's commands use (main/cli/args), for the args-*.test.ts files.
import { Command, Option } from '../../../main/cli/args/command';

const int = (v: string): number => {
  if (!/^\d+$/.test(v)) throw new Error(`not an integer: ${v}`);
  return Number(v);
};
const collect = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').filter(Boolean)];

export function sampleProgram(): Command {
  const program = new Command('tool').description('A sample program.').version('1.2.3').addHelpText('after', '\nMore: README.md');
  program
    .command('create <name>')
    .description('create one')
    .option('-b, --branch <branch>', 'the branch')
    .option('-s, --slot <n>', 'port slot', int)
    .option('--snapshot <name>', 'from this snapshot')
    .option('--no-snapshot', 'start empty')
    .option('-f, --force', 'force it')
    .option('--path-map <LOCAL=REMOTE>', 'repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--shared-overlay [folders...]', 'overlay (all, or those named)')
    .option('--no-shared-overlay', 'read-write')
    .action(() => undefined);
  program
    .command('list')
    .alias('ls')
    .description('all of them')
    .option('--json', 'machine-readable')
    .option('--no-prune', 'keep entries')
    .action(() => undefined);
  program
    .command('logs [services...]')
    .option('-n, --tail <n>', 'lines per service', int, 100)
    .option('--format <format>', 'sh | json', 'sh')
    .action(() => undefined);
  program
    .command('exec <cmd...>')
    .option('-i, --instance <id>', 'instance id')
    .passThroughOptions()
    .action(() => undefined);
  program
    .command('run <service> [cmd...]')
    .option('-i, --instance <id>', 'instance id')
    .passThroughOptions()
    .action(() => undefined);
  program
    .command('sync [id]')
    .option('-w, --watch', 'keep syncing')
    .addOption(new Option('--background', 'the watcher').hideHelp())
    .action(() => undefined);
  const snap = program.command('snapshot').description('volume snapshots');
  snap
    .command('save <name>')
    .option('--volumes <keys...>', 'volume keys', collect)
    .option('-z, --compress', 'gzip')
    .action(() => undefined);
  snap
    .command('list')
    .alias('ls')
    .description('every snapshot')
    .action(() => undefined);
  snap.command('rm <names...>').action(() => undefined);
  program
    .command('wrap')
    .description('a description long enough to be wrapped at eighty columns, which is the width off a terminal, and at sixty')
    .option('-p, --port <port>', 'port to listen on (default: any free port), a description wrapped under its first line', int, 0)
    .option('--keep', 'a short one')
    .action(() => undefined);
  program
    .command('overlay [args...]')
    .usage('[ID] on [FOLDER…] | off')
    .action(() => undefined);
  return program;
}
