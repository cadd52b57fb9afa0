// Gzipped tar archives (Archive port) through the tar library, loaded on the first call: `env` and `list` never
// pay for it.
import type { Archive } from '../core/deps';

export function createArchive(): Archive {
  const tar = () => import('tar');
  return {
    async pack(file, cwd, names) {
      await (await tar()).c({ gzip: true, file, cwd, portable: true }, names);
    },
    async unpack(file, dir) {
      await (await tar()).x({ file, cwd: dir, strict: true, preserveOwner: false });
    },
  };
}
