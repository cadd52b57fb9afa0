// TEMPORARY (issue 12): the file reads of the core modules not given the Files port yet — resolve.ts, manifest.ts
// and compose-model.ts read through these, and override/state.ts falls back to `legacyFiles` while resolve.ts and
// up.ts do not pass deps.files. The real thing is main/adapters/files.ts (why small files are read synchronously
// is told there). Delete this file once they take the port; the core-io guard test allow-lists it until then.
export { nodeFiles as legacyFiles, readTextIfExists, statIfExists } from '../adapters/files';
