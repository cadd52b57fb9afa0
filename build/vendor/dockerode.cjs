// Vendor entry (see tsup.config.ts): pre-bundled into dist/vendor/dockerode.cjs, loaded on first use.
module.exports = require('dockerode');
