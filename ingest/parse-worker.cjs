// Entry of an ingest worker thread (ingest/parse-pool.ts). Node 20 cannot run TypeScript by
// itself, so tsx's loader is registered in this thread before the worker's code
// (ingest/parse-worker.ts) is loaded. Its CommonJS loader, which transforms in this very
// thread: tsx's ESM loader (tsx/esm/api, which bin/liaison.js uses) runs its hooks on a thread
// of its own, and cost each worker 15-30 MB more (a worker ready: +80-93 MB of RSS against
// +104-109 MB, measured side by side). The worker's code needs nothing only ESM has (no
// top-level await, no import.meta, no ESM-only package); every test that ingests runs it.
'use strict';

const { register } = require('tsx/cjs/api');

register();
require('./parse-worker.ts');
