#!/usr/bin/env node
// The `liaison` command. Runs the compiled gateway (dist/, `npm run build`) when it was built
// from exactly this checkout (bin/build.mjs checks its fingerprint); otherwise the TypeScript
// sources, through tsx's loader registered here (Node 20 cannot run TypeScript by itself). A
// deployment builds once and gets plain JavaScript, with less memory per process; a checkout
// being edited always runs what is in it, never an older build.
import { compiledBuild } from './build.mjs';

const build = await compiledBuild();
let main;
if (build.current) {
  main = await import(build.entry);
} else {
  if (build.reason === 'stale' && process.argv[2] === 'serve') {
    process.stderr.write('liaison: dist/ was built from other sources than these, so the sources run through tsx; `npm run build` compiles them again.\n');
  }
  const { register } = await import('tsx/esm/api');
  register();
  main = await import('../api/cli/main.ts');
}
await main.runCli(process.argv);
