// Vendor entry (see tsup.config.ts): pre-bundled into dist/vendor/execa.cjs, loaded on first use.
module.exports = require('execa');
