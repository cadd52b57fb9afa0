// Vendor entry (see tsup.config.ts): pre-bundled into dist/vendor/tar.cjs, loaded on first use.
module.exports = require('tar');
