// The volume copier against the real engine: a volume's content (owners, modes, links, empty files) survives
// export → import through both paths (the helper untarring from a bind mount, and the archive API), plain and
// gzipped; a restore into a used volume replaces its content; no helper container is left behind.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDockerEndpointFromSystem } from '../../../main/adapters/docker-endpoint';
import { createVolumeIo } from '../../../main/adapters/volume-io';
import { LABEL_INSTANCE, LABEL_ROLE } from '../../../main/core/labels';
import { IMAGE, tempDir } from './helpers';

const tag = `snap-vio-${randomBytes(3).toString('hex')}`;
const labels = { [LABEL_ROLE]: 'snapshot', [LABEL_INSTANCE]: tag };
const vol = (n: string) => `${tag}-${n}`;
const io = createVolumeIo(resolveDockerEndpointFromSystem());
let tmp: { dir: string; remove: () => Promise<void> };

async function inVolume(name: string, script: string): Promise<string> {
  const r = await execa('docker', [
    'run',
    '--rm',
    '--label',
    `${LABEL_ROLE}=snapshot-test`,
    '--label',
    `${LABEL_INSTANCE}=${tag}`,
    '-v',
    `${name}:/v`,
    IMAGE,
    'sh',
    '-c',
    script,
  ]);
  return String(r.stdout);
}

/** Every entry with owner, group, mode, size, link target and content hash. */
const listing = (name: string) =>
  inVolume(name, "cd /v && find . -printf '%p %U:%G %m %s %l\\n' | sort && find . -type f -exec md5sum {} + | sort");

beforeAll(async () => {
  tmp = await tempDir('volume-io');
  for (const n of ['src', 'api', 'local', 'gz']) await io.createVolume(vol(n), labels);
  await inVolume(
    vol('src'),
    'mkdir -p /v/data/base /v/empty-dir && head -c 3000000 /dev/urandom > /v/data/base/16384 && echo hello > /v/data/PG_VERSION && : > /v/data/empty && ' +
      'ln -s base/16384 /v/data/link && chown -R 999:999 /v/data && chmod 0700 /v/data && chmod 0600 /v/data/PG_VERSION',
  );
  await inVolume(vol('local'), 'echo junk > /v/junk && mkdir /v/old');
});

afterAll(async () => {
  await execa('docker', ['volume', 'rm', '-f', ...['src', 'api', 'local', 'gz'].map(vol)], { reject: false });
  await tmp?.remove();
});

describe('volume copier', () => {
  it('round-trips a volume exactly through both import paths, plain and gzipped, and leaves no helper', async () => {
    const want = await listing(vol('src'));
    expect(want).toMatch(/\.\/data 999:999 700/);
    const tar = join(tmp.dir, 'src.tar');
    const gz = join(tmp.dir, 'src.tar.gz');
    const progress: number[] = [];
    const out = await io.exportVolume({ volume: vol('src'), image: IMAGE, labels }, tar, (b) => progress.push(b));
    expect(out.bytes).toBeGreaterThan(3_000_000);
    expect(out.stored).toBe(out.bytes);
    expect(progress.at(-1)).toBe(out.bytes);
    const zipped = await io.exportVolume({ volume: vol('src'), image: IMAGE, labels }, gz);
    expect(zipped.bytes).toBe(out.bytes);

    expect(await io.importVolume({ volume: vol('api'), image: IMAGE, labels }, tar, { clear: false, via: 'api' })).toEqual({
      bytes: out.bytes,
      via: 'api',
    });
    expect(await listing(vol('api'))).toBe(want);
    expect(await io.importVolume({ volume: vol('local'), image: IMAGE, labels }, tar, { clear: true })).toEqual({
      bytes: out.bytes,
      via: 'local',
    });
    expect(await listing(vol('local'))).toBe(want); // the junk is gone
    await io.importVolume({ volume: vol('gz'), image: IMAGE, labels }, gz, { clear: true, via: 'api' });
    expect(await listing(vol('gz'))).toBe(want);
    expect((await io.importVolume({ volume: vol('gz'), image: IMAGE, labels }, gz, { clear: true })).via).toBe('local');
    expect(await listing(vol('gz'))).toBe(want);

    const left = await execa('docker', [
      'ps',
      '-aq',
      '--filter',
      `label=${LABEL_ROLE}=snapshot`,
      '--filter',
      `label=${LABEL_INSTANCE}=${tag}`,
    ]);
    expect(String(left.stdout)).toBe('');
  });

  it('answers the questions the use-cases ask', async () => {
    expect(await io.volumeExists(vol('src'))).toBe(true);
    expect(await io.volumeExists(vol('nope'))).toBe(false);
    expect(await io.imageId(IMAGE)).toMatch(/^sha256:/);
    expect(await io.imageId('ktrdr-sandbox-no-such-image:0')).toBeNull();
  });
});
