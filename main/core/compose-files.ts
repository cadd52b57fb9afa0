// Which compose file(s) a repository uses when nothing says so: found the way `docker compose` finds them.
// COMPOSE_FILE (the environment first, then the project's .env, as compose reads them; split on
// COMPOSE_PATH_SEPARATOR, default ":" — ";" on Windows), else the first of the standard names, plus the first
// standard override file, which compose includes automatically. Pure: existence and environment are passed in.

/** Compose v2's order (compose-go DefaultFileNames); v1 knows the two docker-compose names. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
export const COMPOSE_OVERRIDE_NAMES = [
  'compose.override.yml',
  'compose.override.yaml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
];

export interface ComposeFileEnv {
  COMPOSE_FILE?: string;
  COMPOSE_PATH_SEPARATOR?: string;
}

/** What of the machine decides which compose files a directory uses: its platform (the default separator). */
export interface ComposeHost {
  /** the machine's platform, as node names it (HostEnv.platform) */
  platform: string;
  /** COMPOSE_FILE / COMPOSE_PATH_SEPARATOR from the environment, when given (never the process's by default) */
  env?: ComposeFileEnv;
}

export interface FoundComposeFiles {
  /** Relative to the repository (as written in COMPOSE_FILE when it names them). */
  files: string[];
  via: 'COMPOSE_FILE' | 'standard names';
}

/**
 * env: the process environment; dotenv: the project's .env (compose reads COMPOSE_FILE from both, the
 * environment winning); platform: the machine's (";" separates on win32). exists(name): whether a file of that
 * name (relative to the repository) exists.
 */
export function findComposeFiles(
  exists: (name: string) => boolean,
  env: ComposeFileEnv,
  dotenv: ComposeFileEnv,
  platform: string,
): FoundComposeFiles | null {
  const listed = env.COMPOSE_FILE ?? dotenv.COMPOSE_FILE;
  if (listed !== undefined && listed.trim() !== '') {
    const sep = env.COMPOSE_PATH_SEPARATOR ?? dotenv.COMPOSE_PATH_SEPARATOR ?? (platform === 'win32' ? ';' : ':');
    const files = listed
      .split(sep)
      .map((f) => f.trim())
      .filter(Boolean);
    if (files.length) return { files, via: 'COMPOSE_FILE' };
  }
  const main = COMPOSE_FILE_NAMES.find(exists);
  if (!main) return null;
  const override = COMPOSE_OVERRIDE_NAMES.find(exists);
  return { files: override ? [main, override] : [main], via: 'standard names' };
}
