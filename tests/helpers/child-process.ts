// A TypeScript script run in a child process of its own (through tsx), for tests about how a
// process ends: what it printed, how it exited, and whether it had to be killed for hanging.
import { spawn } from 'node:child_process';

export type ChildRun = { code: number | null; signal: string | null; output: string; hung: boolean };

/** Runs `script` with `args`; killed (and reported `hung`) if it has not exited after `hangGuardMs`. */
export function runTsxChild(script: string, args: string[], hangGuardMs: number): Promise<ChildRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  let hung = false;
  const guard = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, hangGuardMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, output, hung });
    });
  });
}
