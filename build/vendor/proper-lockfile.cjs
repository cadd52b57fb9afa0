// Vendor entry (see tsup.config.ts): pre-bundled into dist/vendor/proper-lockfile.cjs, loaded on first use.
module.exports = require('proper-lockfile');
