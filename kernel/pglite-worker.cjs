// Entry of the embedded database's thread (kernel/pglite-thread.ts) when the gateway runs from
// its TypeScript sources: tsx's CommonJS loader is registered in this very thread before the
// thread's code (kernel/pglite-worker.ts) is loaded, as ingest/parse-worker.cjs does and for
// the same reasons. A compiled gateway (bin/build.mjs) starts kernel/pglite-worker.js instead.
'use strict';

const { register } = require('tsx/cjs/api');

register();
require('./pglite-worker.ts');
