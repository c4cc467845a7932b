#!/usr/bin/env node
// The `liaison` command. Node 20 cannot run TypeScript by itself, so tsx's loader is
// registered before the CLI (api/cli/main.ts) is imported.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../api/cli/main.ts');
await runCli(process.argv);
