// Vendor entry (see tsup.config.ts): pre-bundled into dist/vendor/write-file-atomic.cjs, loaded on first use.
module.exports = require('write-file-atomic');
