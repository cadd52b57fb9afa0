// Whether the engine can mount a shared folder through an overlay (manifest `shared.overlay`): Docker's `local`
// volume driver mounting `type=overlay` on the engine's host, which must see our paths as they are here.
// Implemented in main/adapters/overlay-probe.ts.

export interface OverlayPort {
  /**
   * Mount an overlay of dir/lower (upper dir/upper, work dir/work) through the engine, write one file into it and
   * look for that file in dir/upper here. Resolves null when all of it works, else why not (one line).
   * dir is created for the probe and removed afterwards.
   */
  probe(dir: string, labels: Record<string, string>): Promise<string | null>;
}
