// Runs the `liaison` command as an operator would: a child process of bin/liaison.js with a
// fresh data directory, or a fresh PostgreSQL database when DATABASE_URL is set.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './db.ts';

export const LIAISON_BIN = new URL('../../bin/liaison.js', import.meta.url).pathname;

export type CliRun = { code: number | null; stdout: string; stderr: string };

export type CliSandbox = {
  dir: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliRun>;
  close(): Promise<void>;
};

/** Runs bin/liaison.js with exactly `env`, from `cwd`. */
export function runLiaison(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CliRun> {
  return runProcess(process.execPath, [LIAISON_BIN, ...args], env, cwd);
}

/** Runs a program with exactly `env`, from `cwd`, and collects its exit code and output. */
export function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CliRun> {
  return new Promise<CliRun>((resolve, reject) => {
    const child = spawn(command, args, { env, ...(cwd ? { cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The URL a starting gateway (`liaison serve`, `npm start`) prints once it listens. */
export function listeningUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the gateway did not start: ${out}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d));
  });
}

export async function createCliSandbox(prefix: string): Promise<CliSandbox> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LIAISON_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', NODE_ENV: 'test' };
  let db: TestDatabase | undefined;
  if (process.env.DATABASE_URL) {
    db = await createTestDatabase();
    env.DATABASE_URL = db.url;
    env.LIAISON_PSEUDONYM_KEY = 'cli-test-pseudonym-key-0123456789abcdef';
  }
  const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runLiaison(args, { ...env, ...extraEnv });
  return {
    dir,
    env,
    run,
    close: async () => {
      await db?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
