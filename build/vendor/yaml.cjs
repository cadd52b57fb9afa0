// Vendor entry (see tsup.config.ts): pre-bundled into dist/vendor/yaml.cjs, loaded on first use.
module.exports = require('yaml');
