// Result shapes of the use-cases, in the node-free shared module so the renderer can type-check against
// them through the contract. The use-case modules re-export them.
import type { ContainerInfo, GateReport, InstanceLink, InstanceRecord, SlotPort } from './types';
import type { InstanceView } from './views';
import type { SyncState } from './sync';

export interface InstanceDetails {
  id: string;
  path: string;
  slot: number;
  kind: InstanceRecord['kind'];
  branch: string | null;
  createdAt: string;
  ports: SlotPort[];
  links: InstanceLink[];
  envFile: string;
}

export interface DestroyResult {
  id: string;
  path: string;
  worktreeRemoved: boolean;
  keptDirectory: boolean;
  branchKept: string | null;
  /** Commits not in the remote (or other local) branches, kept on `branchKept`. */
  keptCommits?: number;
}

/** One file or folder destroy would delete that is someone's work (destroy refuses without --force). */
export interface DestroyRiskFile {
  kind: 'changed' | 'untracked' | 'ignored';
  path: string;
}

/** What `destroy` would do to one instance, and what it would lose (the Destroy dialog shows it before the click). */
export interface DestroyPreview {
  id: string;
  path: string;
  slot: number;
  kind: InstanceRecord['kind'];
  /** created: made by `create`; init: the user's own checkout, never deleted. */
  origin: 'created' | 'init';
  dirExists: boolean;
  /** The directory is deleted (a worktree made by `create`, not --keep-worktree). */
  deletesDirectory: boolean;
  /** The worktree's git metadata (.git/worktrees/<id>) is gone; it was compared with its branch instead. */
  metadataMissing: boolean;
  /** Would be lost: tracked changes, untracked and ignored files that are not disposable. */
  atRisk: DestroyRiskFile[];
  /** Deleted without counting as work: dependency folders and caches (defaults + manifest `destroy.disposable`). */
  disposable: string[];
  /** Commits not pushed (or not on another branch), kept because the branch is kept. */
  keptCommits: { count: number; branch: string; against: string } | null;
  /** Commits on a detached HEAD (on no branch): deleting the worktree loses them. */
  lostCommits: number;
  /** Destroy refuses without --force. */
  refused: boolean;
}

export interface OrphanProject {
  project: string;
  containers: number;
  running: number;
  workingDir: string | null;
}

export interface ListResult {
  instances: InstanceView[];
  /** Entries removed because their directory is gone and nothing of them runs. */
  pruned: InstanceRecord[];
  /** Entries whose directory is gone but whose containers still exist (kept: `prune` reclaims them). */
  stale: string[];
  /** Unregistered projects labelled as ours (this registry's identity): `prune --orphans` removes them. */
  orphans: OrphanProject[];
  /** Sandbox-looking projects without any ownership label (an earlier version's?): never removed by us. */
  unlabelled?: OrphanProject[];
}

export interface ServiceStatus {
  service: string;
  state: ContainerInfo['state'] | 'absent';
  health: ContainerInfo['health'];
  status: string;
  ports: number[];
}

export interface EndpointStatus {
  name: string;
  label: string;
  url: string;
  ok: boolean;
  detail: string;
}

export interface StatusResult {
  instance: InstanceView;
  services: ServiceStatus[];
  endpoints: EndpointStatus[];
  lastGate: GateReport | null;
  /** An instance on a remote engine: which, and its ssh connection (carrying the socket and the forwards). */
  engine?: { name: string; endpoint: string; tunnel: 'up' | 'down'; forwardedPorts: number[] };
  /** Its source sync (a remote instance whose source is synced): the watcher's state, null when none runs. */
  sync?: SyncState | null;
  /** Shared folders it sees through a writable overlay of its own (manifest `shared.overlay`), with what it wrote. */
  sharedOverlays?: SharedOverlayStatus[];
  /** Every shared folder of shared.mounts and how this instance sees it (absent when the manifest has none, or on a remote engine). */
  sharedData?: SharedFolderState[];
}

/** One overlaid shared folder of an instance: its writes are in `upper`, the shared folder (`lower`) never changes. */
export interface SharedOverlayStatus {
  folder: string;
  env: string;
  lower: string;
  upper: string;
  /** Services mounting it, with the container path. */
  services: { service: string; target: string }[];
  /** What the instance wrote (files in the upper layer; deletions are not counted). */
  files: number;
  bytes: number;
}

/** One shared folder (manifest shared.mounts) as an instance sees it: through its overlay, or read-write. */
export interface SharedFolderState extends SharedOverlayStatus {
  /** overlay: its writes go to `upper`, the shared folder never changes; read-write: it writes into the shared folder. */
  mode: 'overlay' | 'read-write';
  /** Who chose: the instance (`create --shared-overlay`, `shared overlay ID on|off`) or the manifest's shared.overlay. */
  source: 'instance' | 'manifest';
  /**
   * How its running containers mount it now (absent when none that mounts it runs). Differs from `mode` after a
   * change of choice until the next `up` recreates them: `mode` is what that `up` applies.
   */
  mounted?: 'overlay' | 'read-write';
}

/** `shared reset`: the folders whose writes were dropped (with what was dropped), the services stopped and started again. */
export interface SharedResetResult {
  instance: string;
  reset: SharedOverlayStatus[];
  restarted: string[];
}

/** `shared overlay ID on|off`: the instance's own choice, recorded; its next `up` applies it. */
export interface SharedOverlayChoiceResult {
  instance: string;
  /** What was recorded: true = every shared folder, a list = those, false = none (read-write). */
  choice: boolean | string[];
  /** The shared folders it will see through its overlay from its next `up`. */
  folders: string[];
  /** Its containers run now (the choice applies when `up` recreates them). */
  running: boolean;
  /** Shared folders no longer overlaid whose upper directory still holds its writes (`shared reset` drops them). */
  kept: { folder: string; upper: string; files: number; bytes: number }[];
}

export interface UpResult {
  instance: InstanceDetails;
  gate: GateReport | null;
  healedEnvFile: boolean;
  /** The compose lint's findings in full (the CLI prints one line; `doctor` lists them). */
  lint?: { name: string; level: 'ok' | 'warning' | 'error'; message: string; fix?: string; service?: string }[];
}
