// Instance identity: the slugified basename of the instance directory, valid as a compose project name.
import { basename } from 'node:path';
import { SandboxError } from './errors';
import { shown } from './validate';

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Lowercase, keep [a-z0-9_-], collapse everything else into "-", trim leading/trailing separators. */
export function slugify(input: string): string {
  return fullSlug(input)
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

/** Longest instance id: a compose project name that stays a valid DNS label (and a short path part). */
export const MAX_ID_LENGTH = 63;

/**
 * A name given to `create`. It becomes the default branch, the directory `<repo>--NAME` ("/" → "-") and the
 * instance id (the compose project name), so it is held to the strictest of the three: lowercase letters,
 * digits, "-" and "_", parts separated by single "/" (branch-like names), each part starting with a letter or
 * digit. Uppercase is refused rather than lowercased, so id, folder and branch always agree; a branch with
 * capitals or dots is checked out with `--branch`.
 */
export function validateInstanceName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new SandboxError('USAGE', 'The instance name is missing', { hint: 'Pass a name such as feat-login.' });
  }
  const s = shown(name);
  if (name.length > MAX_ID_LENGTH) {
    throw new SandboxError('USAGE', `Invalid instance name ${s}: longer than ${MAX_ID_LENGTH} characters`, {
      hint: 'Use a shorter name; it becomes a directory, a branch and a compose project name.',
    });
  }
  if (/^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/.test(name)) return name;
  let why = 'use lowercase letters, digits, "-" and "_" (and "/" between parts), starting with a letter or digit';
  let hint = 'The name becomes the directory <repo>--NAME, the branch NAME and the compose project; e.g. feat-login or feat/login.';
  if (/[A-Z]/.test(name) && /^[A-Za-z0-9][A-Za-z0-9_/-]*$/.test(name)) {
    why = 'uppercase letters are not allowed (the id, folder and branch must agree, and compose ids are lowercase)';
    hint = `Use ${JSON.stringify(name.toLowerCase())}, or check out a branch with capitals: create ${name.toLowerCase().replace(/[^a-z0-9/_-]+/g, '-')} --branch ${name}`;
  } else if (name.includes('.') && !name.includes('..') && /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(name)) {
    why = '"." is not allowed (it cannot be part of an instance id)';
    hint = `Use ${JSON.stringify(name.replace(/\./g, '-').toLowerCase())}, or keep the dotted branch: create ${name.replace(/\./g, '-').toLowerCase()} --branch ${name}`;
  }
  throw new SandboxError('USAGE', `Invalid instance name ${s}: ${why}`, { hint });
}

/**
 * The id of a directory about to be created: like instanceIdFromPath, but refusing (instead of cutting) an id
 * longer than MAX_ID_LENGTH, so two long names can never share an id.
 */
export function instanceIdForNewDir(dir: string): string {
  const full = fullSlug(basename(dir));
  if (full.length > MAX_ID_LENGTH) {
    throw new SandboxError('USAGE', `The instance id would be ${full.length} characters long (at most ${MAX_ID_LENGTH}): ${shown(full)}`, {
      hint: `Use a name ${full.length - MAX_ID_LENGTH} characters shorter.`,
    });
  }
  return instanceIdFromPath(dir);
}

function fullSlug(input: string): string {
  return input
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

/** Directory name for a new worktree: <repo>--<name>, "/" in the name becomes "-". */
export function worktreeDirName(repoName: string, name: string): string {
  return `${repoName}--${name.replace(/\//g, '-')}`;
}
