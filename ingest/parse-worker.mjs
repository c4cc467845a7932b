// Entry of an ingest worker thread (ingest/parse-pool.ts). Node 20 cannot run TypeScript by
// itself, so tsx's loader is registered in this thread (as bin/liaison.js does for the CLI)
// before the worker's code (ingest/parse-worker.ts) is imported.
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
