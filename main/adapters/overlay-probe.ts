// The overlay probe (manifest `shared.overlay`): can this engine mount an overlay of a folder of ours, with the
// writes landing in a folder of ours? A volume of the `local` driver with `type=overlay` over dir/{lower,upper,work},
// a container holding it that is created but never started (any local image: nothing runs), and one file put into
// it through the archive API — which makes the engine mount the volume. The file must then be in dir/upper here,
// and the lower folder's marker visible through the mount: an engine in a VM or on another host (its own paths)
// fails here, as does a kernel or storage without overlay. Everything made is removed in a finally.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { EngineUnavailableError } from '../core/deps';
import type { OverlayPort } from '../core/world/overlay';
import { dockerodeOptions, type DockerEndpoint } from './docker-endpoint';
import { mapEngineError } from './engine-errors';

const MOUNT = '/ktrdr-overlay-probe';
const WRITTEN = 'written-through-overlay';
const MARKER = 'lower-marker';

/** A tar archive holding one small file (ustar, one 512-byte header, the data padded, two zero blocks). */
export function oneFileTar(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(512, 0);
  const put = (s: string, off: number, len: number) => header.write(s, off, len, 'ascii');
  put(name, 0, 100);
  put('0000644\0', 100, 8);
  put('0000000\0', 108, 8);
  put('0000000\0', 116, 8);
  put(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 12);
  put(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
    12,
  );
  put('        ', 148, 8); // checksum field counts as spaces
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of header) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512, 0);
  return Buffer.concat([header, data, pad, Buffer.alloc(1024, 0)]);
}

/** Read a response stream to its end (a plain value passes). */
async function drain(res: unknown): Promise<void> {
  const stream = res as NodeJS.ReadableStream | undefined;
  if (!stream || typeof stream.on !== 'function' || typeof stream.resume !== 'function') return;
  await new Promise<void>((resolve) => {
    stream
      .on('end', resolve)
      .on('close', resolve)
      .on('error', () => resolve());
    stream.resume();
  });
}

function firstLine(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string };
  return String(e?.json?.message ?? e?.message ?? err)
    .split('\n')[0]!
    .trim();
}

export function createOverlayProbe(endpoint: DockerEndpoint, opts: { env?: NodeJS.ProcessEnv } = {}): OverlayPort {
  let client: Promise<Dockerode> | undefined;
  const docker = (): Promise<Dockerode> =>
    (client ??= import('dockerode').then((m) => new m.default(dockerodeOptions(endpoint, opts.env ?? process.env))));

  return {
    async probe(dir, labels) {
      const d = await docker();
      const [lower, upper, work] = ['lower', 'upper', 'work'].map((s) => join(dir, s)) as [string, string, string];
      for (const p of [lower, upper, work]) mkdirSync(p, { recursive: true });
      writeFileSync(join(lower, MARKER), 'lower\n');
      const name = `ktrdr-overlay-probe-${process.pid}-${Date.now().toString(36)}`;
      let volume: Dockerode.Volume | undefined;
      let container: Dockerode.Container | undefined;
      try {
        const images = await d.listImages();
        const image = [...images].sort((a, b) => a.Size - b.Size)[0];
        if (!image) return 'the engine has no local image to create the probe container from';
        await d.createVolume({
          Name: name,
          Driver: 'local',
          DriverOpts: { type: 'overlay', device: 'overlay', o: `lowerdir=${lower},upperdir=${upper},workdir=${work}` },
          Labels: labels,
        });
        volume = d.getVolume(name);
        container = (await d.createContainer({
          Image: image.Id,
          Entrypoint: ['/ktrdr-overlay-probe-never-started'],
          Labels: labels,
          NetworkDisabled: true,
          HostConfig: {
            NetworkMode: 'none',
            Mounts: [
              { Type: 'volume', Source: name, Target: MOUNT, VolumeOptions: { NoCopy: true } as Dockerode.MountSettings['VolumeOptions'] },
            ],
          },
        })) as Dockerode.Container;
        try {
          await drain(await container.putArchive(oneFileTar(WRITTEN, 'upper\n'), { path: MOUNT }));
        } catch (err) {
          return `the engine cannot mount an overlay volume: ${firstLine(err)}`;
        }
        if (!existsSync(join(upper, WRITTEN)))
          return `a file written through the engine's overlay did not reach ${upper} here: the engine's host does not see this machine's paths`;
        if (existsSync(join(lower, WRITTEN))) return 'a file written through the overlay reached the lower folder';
        try {
          // the archive comes back as an open stream: drained, or its socket keeps the process alive
          await drain(await container.getArchive({ path: `${MOUNT}/${MARKER}` }));
        } catch {
          return "the overlay does not show the lower folder's content";
        }
        return null;
      } catch (err) {
        const mapped = mapEngineError(err, endpoint);
        if (mapped instanceof EngineUnavailableError) throw mapped;
        return firstLine(err);
      } finally {
        await container?.remove({ force: true }).catch(() => undefined);
        await volume?.remove().catch(() => undefined);
        try {
          rmSync(dir, { recursive: true, force: true });
        } catch {
          // the kernel's work/work (mode 000, root's) stays where we are not root: a few empty directories
        }
      }
    },
  };
}
