// Vendor entry (see tsup.config.ts): pre-bundled into dist/vendor/cli-table3.cjs, loaded on first use.
module.exports = require('cli-table3');
