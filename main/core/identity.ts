// Instance identity: the slugified basename of the instance directory, valid as a compose project name.
import { basename } from 'node:path';
import { SandboxError } from './errors';

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Lowercase, keep [a-z0-9_-], collapse everything else into "-", trim leading/trailing separators. */
export function slugify(input: string): string {
  return input
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 63)
    .replace(/[-_]+$/, '');
}

export function instanceIdFromPath(dir: string): string {
  const id = slugify(basename(dir));
  if (!isValidInstanceId(id)) {
    throw new SandboxError('USAGE', `Cannot derive an instance id from directory "${basename(dir)}"`, {
      hint: 'Rename the directory or pass --name ID (letters, digits, "-" and "_").',
    });
  }
  return id;
}

export function isValidInstanceId(id: string): boolean {
  return id.length > 0 && id.length <= 63 && PROJECT_NAME.test(id);
}

/** A name given to `create` (becomes a branch name and part of a directory name). */
export function validateInstanceName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(name) || name.includes('..') || name.endsWith('/') || name.endsWith('.lock')) {
    throw new SandboxError('USAGE', `Invalid instance name "${name}"`, {
      hint: 'Use letters, digits, ".", "_", "-" (and "/" for branch-like names), starting with a letter or digit.',
    });
  }
  return name;
}

/** Directory name for a new worktree: <repo>--<name>, "/" in the name becomes "-". */
export function worktreeDirName(repoName: string, name: string): string {
  return `${repoName}--${name.replace(/\//g, '-')}`;
}
