// demo: two instances of an embedded example (plain Compose projects, examples/) up and gated, then the
// dashboard. `demo --clean` removes all of it.
import type { Command } from '../args/command';
import pc from '../colors';
import { createDemoFiles, removeExampleImages } from '../../adapters/demo-files';
import { EXIT } from '../../core/errors';
import { cleanDemo, runDemo } from '../../core/use-cases/demo';
import { startDashboardServer } from '../../server/dashboard-server';
import { createNodePlatform } from '../../ui-backend/node-platform';
import { gateVerdict, labelled, SCHEMA_VERSION } from '../render';
import { addCommon, parseIntOption, runCommand, type Runtime } from '../runtime';
import { writeStdout } from '../stdio';

interface DemoOptions {
  clean?: boolean;
  images?: boolean;
  open: boolean;
  dashboard: boolean;
  port: number;
  timeout?: number;
  json?: boolean;
  verbose?: boolean;
}

export function registerDemo(program: Command, rt: Runtime): void {
  addCommon(
    program
      .command('demo [example]')
      .description('try it: two instances of an embedded example (webapp, queue) up and gated, then the dashboard; --clean removes it all')
      .option('--clean', 'remove every demo instance, container, volume, network and the demo directory')
      .option('--images', 'with --clean: also remove the images the examples built (kept otherwise, for a fast next demo)')
      .option('--no-open', 'print the dashboard URL, do not open a browser')
      .option('--no-dashboard', 'stop after the instances are up (do not serve the dashboard)')
      .option('-p, --port <port>', 'dashboard port (default: any free port)', parseIntOption('--port'), 0)
      .option('-t, --timeout <seconds>', 'gate deadline of each instance', parseIntOption('--timeout')),
  ).action((example: string | undefined, o: DemoOptions) =>
    runCommand(o, async (out) => {
      const deps = rt.deps();
      const files = createDemoFiles();
      if (o.clean) {
        const r = await cleanDemo(deps, files, out.event);
        const images = o.images ? await removeExampleImages() : [];
        out.result('demo-clean', { ...r, imagesRemoved: images });
        out.line(
          r.destroyed.length || r.removedDir || r.projectsRemoved.length
            ? `Demo removed: ${r.destroyed.length} instance(s)${r.removedDir ? `, ${r.root}` : ''}.`
            : 'No demo to remove.',
        );
        if (o.images) out.line(images.length ? `Images removed: ${images.join(', ')}` : 'No example image to remove.');
        else out.line(pc.dim('The example images are kept for a fast next demo: `ktrdr-sandbox demo --clean --images` removes them.'));
        return;
      }
      out.line(`Demo: two instances of examples/${example ?? 'webapp'} in ${files.root}${pc.dim(' (the first start builds its image)')}`);
      const r = await runDemo(deps, files, { example, timeoutMs: o.timeout ? o.timeout * 1000 : undefined }, out.event);
      for (const g of r.gates) for (const l of gateVerdict(g)) out.line(l);
      if (!r.passed) {
        out.result('demo', { ...r, url: null });
        out.line(pc.red('The demo did not come up: see the gate above. `ktrdr-sandbox demo --clean` removes it.'));
        return EXIT.gate;
      }
      for (const d of r.instances) {
        out.line(`\n${pc.bold(d.id)} (slot ${d.slot})`);
        for (const line of labelled(d.links.map((l) => [l.label, l.url]))) out.line(line);
      }
      if (!o.dashboard) {
        out.result('demo', { ...r, url: null });
        out.line(`\nRemove it all with: ktrdr-sandbox demo --clean`);
        return;
      }
      const platform = createNodePlatform({ home: deps.home });
      const server = await startDashboardServer({ deps, port: o.port, repository: r.repo, platform });
      if (o.json) writeStdout(`${JSON.stringify({ schema: `ktrdr-sandbox/demo@${SCHEMA_VERSION}`, ok: true, ...r, url: server.url })}\n`);
      else {
        out.line(`\nDashboard: ${pc.bold(server.url)}`);
        out.line(pc.dim('Ctrl-C stops the dashboard (the instances keep running). Remove it all with: ktrdr-sandbox demo --clean'));
      }
      if (o.open) await platform.openExternal(server.url).catch(() => undefined);
      await new Promise<void>((done) => {
        process.on('SIGINT', () => done());
        process.on('SIGTERM', () => done());
      });
      await server.close();
      out.line('Dashboard stopped.');
    }),
  );
}
