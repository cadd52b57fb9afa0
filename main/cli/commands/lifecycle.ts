// create · init · up · gate · down · destroy
import type { Command } from '../args/command';
import pc from '../colors';
import { createFromSnapshot, upFromSnapshot } from '../../core/use-cases/snapshot-reset';
import { printRestore } from './snapshot';
import { initInstance } from '../../core/use-cases/init';
import { upInstance } from '../../core/use-cases/up';
import { gateInstance } from '../../core/use-cases/gate';
import { downInstance } from '../../core/use-cases/down';
import { destroyAll, destroyInstance } from '../../core/use-cases/destroy';
import { exclusive, exclusiveAll } from '../../core/use-cases/exclusive';
import type { InstanceDetails } from '../../core/use-cases/describe';
import { EXIT, SandboxError } from '../../core/errors';
import { gateVerdict, labelled, type Output } from '../render';
import { recordProgress } from '../../adapters/progress-file';
import { addCommon, parseIntOption, refFrom, runCommand, type Runtime } from '../runtime';
import { manifestInit } from '../../core/use-cases/manifest-init';
import { chooseEngine, withPathMap } from '../../core/use-cases/placement';
import { printManifestInit } from './manifest';
import { overlayRequest } from '../../core/use-cases/shared-overlay-choice';

export function printDetails(out: Output, d: InstanceDetails): void {
  for (const line of labelled([
    ['Location', d.path],
    ['Port slot', String(d.slot)],
    ...d.links.map((l): [string, string] => [l.label, l.url]),
  ])) {
    out.line(line);
  }
}

export function registerLifecycle(program: Command, rt: Runtime): void {
  addCommon(
    program
      .command('create <name>')
      .description('create a git worktree at ../<repo>--NAME with its own port slot and .env.sandbox')
      .option('-b, --branch <branch>', 'check out this existing branch (default: NAME, created from HEAD when missing)')
      .option('--new-branch', 'create the branch (--branch B, or NAME) from HEAD; refused when it exists')
      .option('-s, --slot <n>', 'port slot 1-10 (default: lowest free)', parseIntOption('--slot'))
      .option('--from <dir>', 'repository to create the worktree from (default: the one holding the current directory)')
      .option('--snapshot <name>', "fill the volumes from this snapshot (default: the repository's default snapshot)")
      .option('--no-snapshot', 'start empty even when the repository has a default snapshot')
      .option('-f, --force', 'with --snapshot: restore even when the compose files differ')
      .option('--engine <context>', 'run it on this Docker engine (a docker context, or "default"; see `engines`)')
      .option(
        '--path-map <LOCAL=REMOTE>',
        'with --engine: the source is shared by NFS (LOCAL here is REMOTE there), not synced; repeatable',
        (v: string, prev: string[] = []) => [...prev, v],
      )
      .option('--shared-overlay [folders...]', 'see the shared data folders (all, or those named) through a writable overlay of its own')
      .option('--no-shared-overlay', 'mount the shared data folders read-write, even when the manifest overlays them'),
  ).action((name: string, o) =>
    runCommand(o, async (out) => {
      const snapshot = o.snapshot === false ? null : (o.snapshot as string | undefined);
      const chosen = o.engine ? await chooseEngine(rt.deps(), o.engine) : undefined; // exists and answers, before anything is made
      if (o.pathMap && !chosen)
        throw new SandboxError('USAGE', '--path-map needs --engine CONTEXT', {
          hint: "The map says where an engine on another machine sees this machine's files.",
        });
      const engine = chosen && o.pathMap ? await withPathMap(rt.deps(), chosen, o.pathMap as string[], name) : chosen;
      const { instance: d, restore } = await createFromSnapshot(
        rt.deps(),
        {
          name,
          branch: o.branch,
          newBranch: o.newBranch,
          slot: o.slot,
          from: o.from,
          cwd: rt.cwd,
          snapshot,
          force: o.force,
          ...(engine ? { engine } : {}),
          ...overlayRequest(o.sharedOverlay as boolean | string[] | undefined),
        },
        out.event,
      );
      out.result('create', { instance: d, restore });
      if (restore) printRestore(out, restore);
      out.line(`\nCreated instance: ${pc.bold(d.id)}`);
      printDetails(out, d);
      if (o.sharedOverlay !== undefined)
        out.line(o.sharedOverlay === false ? 'Shared data: read-write' : 'Shared data: through a writable overlay of its own');
      out.line(`\nRun 'cd ${d.path} && ktrdr-sandbox up' to start`);
    }),
  );

  addCommon(
    program
      .command('init')
      .description('register the current clone or worktree as an instance')
      .option('-s, --slot <n>', 'port slot 0-10 (default: lowest free of 1-10)', parseIntOption('--slot'))
      .option('-n, --name <id>', 'instance id (default: slugified directory name)')
      .option('--write-manifest', 'first write the manifest derived from the compose file as ktrdr-sandbox.yml (see `manifest init`)'),
  ).action((o) =>
    runCommand(o, async (out) => {
      if (o.writeManifest)
        printManifestInit(
          out,
          await manifestInit(rt.deps().files, (await rt.deps().git.topLevel(rt.cwd)) ?? rt.cwd, {
            host: { platform: rt.deps().env.platform },
          }),
        );
      const d = await initInstance(rt.deps(), { cwd: rt.cwd, slot: o.slot, name: o.name }, out.event);
      out.result('init', { instance: d });
      out.line(`\nInitialised instance: ${pc.bold(d.id)} (${d.kind})`);
      printDetails(out, d);
      out.line(`\nRun 'ktrdr-sandbox up' to start`);
    }),
  );

  addCommon(
    program
      .command('up [id]')
      .description('start the instance (compose up -d) and run the Startability Gate')
      .option('--build', 'build images before starting')
      .option('--no-gate', 'do not run the Startability Gate')
      .option(
        '--no-wait',
        'wait for nothing: no Startability Gate, and fail at once (INSTANCE_BUSY) when another operation holds the instance',
      )
      .option('-t, --timeout <seconds>', 'gate deadline in seconds (default: manifest, 180)', parseIntOption('--timeout'))
      .option('--create-externals', 'create missing external networks/volumes of the compose file (yours to keep) instead of stopping')
      .option('--snapshot <name>', 'first fill the volumes from this snapshot (only when they do not exist yet)')
      .option(
        '-f, --force',
        "start even when the stack does not fit the engine's free memory; with --snapshot: restore even when the compose files differ",
      )
      .option('--no-isolate', 'let services share external networks with other stacks (remembered; see README: isolation)'),
  ).action((id: string | undefined, o) =>
    runCommand(o, async (out) => {
      const ref = refFrom(rt, id);
      out.line(`Starting instance${id ? ` ${id}` : ''}…`);
      const upOpts = {
        build: o.build,
        wait: o.wait && o.gate,
        timeoutMs: o.timeout ? o.timeout * 1000 : undefined,
        createExternals: o.createExternals,
        isolate: o.isolate !== false,
        force: o.force,
      };
      // the progress also goes to <home>/progress/<id>.jsonl: a dashboard shows this `up` live
      const rec = recordProgress(rt.deps().home, 'up', out.event);
      // on its engine (the core's): a remote one gets the ports forwarded, the source synced, missing images copied first
      const r = await exclusive(rt.deps(), ref, 'up', { wait: o.wait }, rec.emit, (r2) =>
        o.snapshot
          ? upFromSnapshot(rt.deps(), r2, o.snapshot, { ...upOpts, force: o.force }, rec.emit)
          : upInstance(rt.deps(), r2, upOpts, rec.emit),
      ).catch((err: unknown) => {
        rec.end(false, (err as Error).message);
        throw err;
      });
      rec.end(!r.gate || r.gate.passed, undefined, r.gate);
      out.result('up', { instance: r.instance, gate: r.gate, lint: r.lint ?? [], ...('restore' in r ? { restore: r.restore } : {}) });
      if (r.gate) for (const l of gateVerdict(r.gate)) out.line(l);
      if (!r.gate || r.gate.passed) {
        out.line(`\nInstance ready: ${pc.bold(r.instance.id)} (slot ${r.instance.slot})`);
        for (const line of labelled(r.instance.links.map((l) => [l.label, l.url]))) out.line(line);
      }
      return r.gate && !r.gate.passed ? EXIT.gate : EXIT.ok;
    }),
  );

  addCommon(
    program
      .command('gate [id]')
      .description('run the Startability Gate against a running instance')
      .option('-t, --timeout <seconds>', 'deadline in seconds', parseIntOption('--timeout'))
      .option('--no-wait', 'fail at once (INSTANCE_BUSY) when another operation holds the instance'),
  ).action((id: string | undefined, o) =>
    runCommand(o, async (out) => {
      const gateOpts = { timeoutMs: o.timeout ? o.timeout * 1000 : undefined };
      const rec = recordProgress(rt.deps().home, 'gate', out.event);
      const r = await exclusive(rt.deps(), refFrom(rt, id), 'gate', { wait: o.wait }, rec.emit, (ref) =>
        gateInstance(rt.deps(), ref, gateOpts, rec.emit),
      ).catch((err: unknown) => {
        rec.end(false, (err as Error).message);
        throw err;
      });
      rec.end(r.passed, undefined, r);
      out.result('gate', { gate: r });
      for (const l of gateVerdict(r)) out.line(l);
      return r.passed ? EXIT.ok : EXIT.gate;
    }),
  );

  addCommon(
    program
      .command('down [id]')
      .description('stop and remove the containers (keeps volumes unless -v)')
      .option('-v, --volumes', 'also remove the named volumes (database data)')
      .option('--no-wait', 'fail at once (INSTANCE_BUSY) when another operation holds the instance'),
  ).action((id: string | undefined, o) =>
    runCommand(o, async (out) => {
      const r = await exclusive(rt.deps(), refFrom(rt, id), 'down', { wait: o.wait }, out.event, (ref) =>
        downInstance(rt.deps(), ref, { volumes: o.volumes }, out.event),
      );
      out.result('down', r);
      out.line(`Stopped ${r.id}${r.volumes ? ' and removed its volumes' : ''}.`);
    }),
  );

  addCommon(
    program
      .command('destroy [id]')
      .description('remove containers, volumes, networks, the worktree (through git) and the slot')
      .option('-f, --force', 'destroy even when files would be lost (changes, untracked or ignored files)')
      .option('--keep-worktree', 'keep the directory (only Docker state and the registry entry go)')
      .option('--all', 'destroy every registered instance (all-or-nothing check first)')
      .option('--no-wait', 'fail at once (INSTANCE_BUSY) when another operation holds the instance'),
  ).action((id: string | undefined, o) =>
    runCommand(o, async (out) => {
      if (o.all && id) throw new SandboxError('USAGE', 'Pass either an instance id or --all, not both');
      const opts = { force: o.force, keepWorktree: o.keepWorktree };
      const lock = { wait: o.wait };
      const results = o.all
        ? await exclusiveAll(rt.deps(), 'destroy', lock, out.event, () => destroyAll(rt.deps(), opts, out.event))
        : [
            await exclusive(rt.deps(), refFrom(rt, id), 'destroy', lock, out.event, (ref) =>
              destroyInstance(rt.deps(), ref, opts, out.event),
            ),
          ];
      out.result('destroy', { destroyed: results });
      for (const r of results) {
        const kept = r.keptDirectory ? `; directory kept: ${r.path}` : ` (${r.path})`;
        out.line(
          `Destroyed ${pc.bold(r.id)}${kept}${r.branchKept ? pc.dim(` — branch ${r.branchKept} kept${r.keptCommits ? ` with ${r.keptCommits} unpushed commit(s)` : ''}`) : ''}`,
        );
      }
      if (!results.length) out.line('No instance registered.');
    }),
  );
}
