// The parent side of the server children: starts a bench server file in its own Node process
// (IPC channel), waits for its port, asks for CPU/statement marks, and stops it. The servers run
// compiled, as a gateway is deployed (bin/build.mjs --bench, built once when the sources changed):
// under tsx each process would also carry the loader and the transformed sources.
// Every child started here is remembered so that stopAllChildren() (called from bench/run.ts
// on any exit path) ends exactly those processes, by their own handle, and no others.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { BENCH_DIST, buildIfNeeded } from '../../bin/build.mjs';
import type { ChildMessage, ParentMessage, Pauses } from './protocol.ts';

/** The child's counters now, and its main-thread pauses since the previous mark. */
export type Mark = { cpu: NodeJS.CpuUsage; statements: number; memory: NodeJS.MemoryUsage; pauses: Pauses };

export type ServerChild = {
  name: string;
  pid: number;
  url: string;
  mark(): Promise<Mark>;
  /** Collects which statements the requests sent while `work` runs issue. */
  statementBreakdown(work: () => Promise<void>): Promise<Record<string, number>>;
  /** Samples the child's CPU with the V8 profiler while `work` runs; writes `file`. */
  profile<T>(file: string, work: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
};

const live = new Set<ChildProcess>();
const START_TIMEOUT_MS = 60_000;
const REPLY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

let built: Promise<string> | undefined;

/**
 * The compiled bench (bench/ and the gateway it runs, in BENCH_DIST), built first when this
 * checkout's sources differ from what is there; the path of `bench/<path>.ts` compiled.
 */
export async function compiledBenchFile(path: string): Promise<string> {
  built ??= buildIfNeeded({ outDir: BENCH_DIST, bench: true });
  await built;
  return join(BENCH_DIST, 'bench', path.replace(/\.ts$/, '.js'));
}

function request<T extends ChildMessage['type']>(
  child: ChildProcess,
  message: ParentMessage,
  replyType: T,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`no ${replyType} reply from child ${child.pid}`));
    }, REPLY_TIMEOUT_MS);
    const onMessage = (raw: unknown) => {
      const reply = raw as ChildMessage;
      if (reply.type !== replyType) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(reply as Extract<ChildMessage, { type: T }>);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    live.delete(child);
    return;
  }
  const exited = once(child, 'exit');
  if (child.connected) child.send({ type: 'exit' } satisfies ParentMessage);
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
  live.delete(child);
}

/**
 * The environment docs/deploy/Containerfile and liaison.service give a gateway process, which
 * the bench's gateways run with (tests/docs/deploy-env.test.ts keeps the three the same):
 * NODE_ENV=production, which graphql-js (the gateway's and PostGraphile's) reads once at load to
 * skip its development-time checks (each type test otherwise looks for a second copy of
 * graphql on a miss), and MALLOC_ARENA_MAX=2, which glibc reads at start (docs/deployment.md,
 * Memory of one process).
 */
export const DEPLOYED_ENV = { NODE_ENV: 'production', MALLOC_ARENA_MAX: '2' } as const;

/** Starts bench/servers/<file> with the given environment, as deployed (DEPLOYED_ENV). */
export async function startServerChild(options: {
  name: string;
  file: 'raw.ts' | 'raw-js.ts' | 'raw-auth.ts' | 'postgraphile.ts' | 'gateway.ts' | 'service.ts' | 'match.ts';
  env: Record<string, string>;
}): Promise<ServerChild> {
  const child = fork(await compiledBenchFile(`servers/${options.file}`), [], {
    execArgv: [],
    env: { ...process.env, ...DEPLOYED_ENV, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  const ready = await new Promise<Extract<ChildMessage, { type: 'ready' }>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.on('message', (raw) => {
      const message = raw as ChildMessage;
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited before it was ready (code ${code}, signal ${signal})`));
    });
  }).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  return {
    name: options.name,
    pid: child.pid!,
    url: `http://127.0.0.1:${ready.port}`,
    mark: async () => {
      const { cpu, statements, memory, pauses } = await request(child, { type: 'mark' }, 'mark');
      return { cpu, statements, memory, pauses };
    },
    statementBreakdown: async (work) => {
      child.send({ type: 'breakdown', on: true } satisfies ParentMessage);
      await work();
      return (await request(child, { type: 'breakdown', on: false }, 'breakdown')).counts;
    },
    profile: async (file, work) => {
      await request(child, { type: 'profile-start' }, 'profile');
      const result = await work();
      await request(child, { type: 'profile-stop', file }, 'profile');
      return result;
    },
    stop: () => stopChild(child),
  };
}

/** Ends every child this process started and that is still running. */
export async function stopAllChildren(): Promise<void> {
  await Promise.allSettled([...live].map((child) => stopChild(child)));
}

/** Last resort on a synchronous exit path: no waiting, just signal our own children. */
export function killAllChildrenNow(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
