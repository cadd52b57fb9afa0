// git as the core sees it (adapters/git.ts): worktrees, clones, status.

export interface GitStatus {
  dirty: boolean;
  /** porcelain lines, at most a few dozen */
  files: string[];
}

export interface Unpushed {
  count: number;
  /** what the commits were compared with, e.g. "remote branches" or "other local branches" */
  against: string;
}

export interface Git {
  version(): Promise<string>;
  /** Top level of the working tree holding dir, or null when dir is not in a git work tree. */
  topLevel(dir: string): Promise<string | null>;
  /** The main repository of dir (for a linked worktree: its main work tree; else the top level). */
  mainRepo(dir: string): Promise<string>;
  isLinkedWorktree(dir: string): Promise<boolean>;
  currentBranch(dir: string): Promise<string | null>;
  branchExists(repo: string, branch: string): Promise<boolean>;
  /** Add a worktree at path. newBranch: create `branch` from `from` (default HEAD); else check out existing branch. */
  worktreeAdd(repo: string, path: string, opts: { branch: string; newBranch: boolean; from?: string }): Promise<void>;
  worktreeRemove(repo: string, path: string, opts?: { force?: boolean }): Promise<void>;
  worktreePrune(repo: string): Promise<void>;
  /** `git worktree move from to` (a rename plus git's own bookkeeping). */
  worktreeMove(repo: string, from: string, to: string): Promise<void>;
  deleteBranch(repo: string, branch: string): Promise<void>;
  status(dir: string): Promise<GitStatus>;
  /**
   * Everything deleting the work tree would lose, as porcelain v1 lines: tracked changes, untracked files and
   * IGNORED files (`!! path`; a wholly ignored folder is one `dir/` line). Paths unquoted. Never truncated.
   */
  statusAll(dir: string): Promise<string[]>;
  /**
   * The same for a worktree whose metadata (`.git/worktrees/<id>`) is gone: the directory compared with `ref`
   * of the main repository through a temporary index (every file counts as untracked when ref is null or unknown).
   */
  statusAgainst(repo: string, dir: string, ref: string | null): Promise<string[]>;
  unpushed(dir: string): Promise<Unpushed>;
  head(dir: string): Promise<string | null>;
  /** `git diff --stat HEAD` (staged and unstaged changes against HEAD), for evidence bundles. */
  diffStat(dir: string): Promise<string>;
}
