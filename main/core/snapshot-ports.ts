// The outside world of snapshots, as the core sees it: where snapshots are kept (files under the sandbox
// home) and how a volume's content is copied (helper containers of the engine). Implemented in
// main/adapters/snapshot-store.ts and main/adapters/volume-io.ts; faked in unit tests.
import type { SnapshotMeta } from '../shared/snapshot-types';

export interface StoredSnapshot {
  meta: SnapshotMeta;
  dir: string;
  sizeOnDisk: number;
}

/** A snapshot being written: files go to a staging directory, renamed into place by commit (all or nothing). */
export interface SnapshotDraft {
  dir: string;
  file(name: string): string;
  commit(meta: SnapshotMeta, secrets: Record<string, string>, opts?: { replace?: boolean }): Promise<StoredSnapshot>;
  abort(): Promise<void>;
}

export interface SnapshotStore {
  /** <home>/snapshots */
  readonly root: string;
  list(): Promise<StoredSnapshot[]>;
  get(name: string): Promise<StoredSnapshot | null>;
  begin(name: string): Promise<SnapshotDraft>;
  /** Absolute path of one archive of a stored snapshot. */
  archive(name: string, file: string): string;
  secrets(name: string): Promise<Record<string, string>>;
  /** Removes the snapshot's directory; resolves with the bytes freed. */
  remove(name: string): Promise<number>;
  /** repository path → default snapshot name. */
  defaults(): Promise<Record<string, string>>;
  setDefault(repo: string, name: string | null): Promise<void>;
}

export interface CopyProgress {
  (bytes: number): void;
}

export interface HelperSpec {
  volume: string;
  image: string;
  /** Labels of the helper container (role + instance: provably ours). */
  labels: Record<string, string>;
}

/** Volume copies through short-lived helper containers, streamed (never the whole volume in memory). */
export interface VolumeIo {
  /** The image id a container runs. */
  containerImage(containerId: string): Promise<string>;
  /** The id of a local image, or null when it is not there. */
  imageId(ref: string): Promise<string | null>;
  /** `docker stop` with a grace period; resolves with each container's exit code. */
  stop(containerIds: string[], timeoutSec: number): Promise<{ id: string; exitCode: number }[]>;
  start(containerIds: string[]): Promise<void>;
  volumeExists(name: string): Promise<boolean>;
  createVolume(name: string, labels: Record<string, string>): Promise<void>;
  /** Runs a shell script in a helper (the volume read-only, as its working directory); its exit code and output. */
  inspectVolume(spec: HelperSpec, script: string): Promise<{ exitCode: number; output: string }>;
  /**
   * tar of the volume's content → file (gzipped when it ends in .gz), without the paths (relative to the volume's
   * root) that opts.skip rejects. Resolves with the tar bytes kept, the bytes written and the content bytes left out.
   */
  exportVolume(
    spec: HelperSpec,
    file: string,
    onProgress?: CopyProgress,
    opts?: { skip?: (path: string) => boolean },
  ): Promise<{ bytes: number; stored: number; skipped?: number }>;
  /**
   * file (gunzipped when it ends in .gz) → the volume (emptied first when clear). Resolves with the tar bytes
   * read (0 when unknown) and the path taken: the helper untarring a bind-mounted file (a local engine), or the API.
   */
  importVolume(
    spec: HelperSpec,
    file: string,
    opts: { clear: boolean; via?: 'auto' | 'api' },
    onProgress?: CopyProgress,
  ): Promise<{ bytes: number; via: 'local' | 'api' }>;
}
