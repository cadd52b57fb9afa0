// The per-instance compose override: a document generated from the instance's context, written to the sandbox
// state (never into the user's repository) and passed as the LAST `-f` of every compose call of the instance.
// It is assembled from small contributions (labels, isolation, telemetry, …), one file each, merged in order.
import type { ComposeModel, PathMapEntry } from '../../shared/types';

/** What a contribution may look at. Pure data: no I/O. */
export interface OverrideInput {
  /** Instance id (= the compose project name). */
  id: string;
  /** This registry's identity (main/core/owner.ts). */
  owner: string;
  model: ComposeModel;
  /** Map shared networks to per-instance ones (false: `up --no-isolate`, manifest `isolation: off`). */
  isolate: boolean;
  /** Add healthcheck `start_interval` (engine API ≥ 1.44 and compose v2 ≥ 2.20.2, decided by `up`: health.ts). */
  startInterval?: boolean;
  /** An instance on a remote engine with its source shared by NFS: bind sources under a LOCAL become REMOTE. */
  pathMap?: { map: PathMapEntry[]; vars: Record<string, string | undefined>; projectDir: string };
  /** Shared folders seen through a per-instance writable overlay (manifest `shared.overlay`: overlay.ts). */
  overlay?: OverlayInput;
}

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** A compose document fragment: services, networks, volumes (each a mapping by key). */
export interface OverrideDoc {
  services: Record<string, JsonObject>;
  networks: Record<string, JsonObject>;
  volumes: Record<string, JsonObject>;
}

/** One concern's share of the override. Returns only what it adds. */
export interface Contribution {
  name: string;
  build(input: OverrideInput): Partial<OverrideDoc>;
}

/** One shared folder seen through an instance's overlay (override/overlay.ts). */
export interface OverlayMount {
  /** The shared sub-folder (manifest `shared.mounts` key), e.g. "data". */
  folder: string;
  /** Its variable, e.g. KTRDR_DATA_DIR. */
  env: string;
  /** The shared folder (read-only lower layer). */
  lower: string;
  /** The instance's writes (upper layer) and the overlay's work directory (same file system as upper). */
  upper: string;
  work: string;
  /** Key of the named volume in the override (compose names it <project>_<key>). */
  volume: string;
}

/** What the override needs: the mounts, and how to read the services' bind sources. */
export interface OverlayInput {
  mounts: OverlayMount[];
  vars: Record<string, string | undefined>;
  projectDir: string;
}
