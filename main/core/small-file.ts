// TEMPORARY (issue 12): the node:fs reads of resolve.ts (being restructured on another branch), and the default
// Files of readComposeModel, loadManifest, deriveForDir, isolationFor and writeOverride while resolve.ts and up.ts
// call them without deps.files. The real thing is main/adapters/files.ts (why small files are read synchronously
// is told there). Delete this file once they pass the port; the core-io guard test allow-lists it until then.
export { nodeFiles as legacyFiles, readTextIfExists } from '../adapters/files';
