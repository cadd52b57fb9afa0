// Labels the product puts on every container, network and volume it starts (through the per-instance compose
// override), so that orphan detection, prune, destroy and the dashboard act only on objects provably ours:
// carrying our instance label AND the identity of the registry (the sandbox home) that owns them.
// Compose's own labels (com.docker.compose.*) say which project an object belongs to, not who made it.

/** The instance id (= the compose project name) an object belongs to. */
export const LABEL_INSTANCE = 'dev.ktrdr-sandbox.instance';
/** The identity of the registry that created it (a random id kept in the sandbox home). */
export const LABEL_OWNER = 'dev.ktrdr-sandbox.owner';
/** What our own machinery created beside the user's stack (isolation networks, snapshot helpers, …). */
export const LABEL_ROLE = 'dev.ktrdr-sandbox.role';

/** Compose's own labels, read by every listing. */
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';
