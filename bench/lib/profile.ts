// Summarises a V8 .cpuprofile (written by a server child started with --cpu-prof) into where
// the non-idle CPU went: self time by package (node_modules/<pkg>, node core, project dirs,
// GC), inclusive time by package (share of samples with that package anywhere on the stack),
// the top functions by self time, and the project's own functions by inclusive time.
// Frames of the bench harness itself (the statement-counting wrapper of pg's query) are left
// out of inclusive time; their own self time, if any, still shows.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

export type Share = { name: string; ms: number; percent: number };
export type ProfileSummary = {
  busyMs: number;
  idleMs: number;
  selfByPackage: Share[];
  inclusiveByPackage: Share[];
  topSelfFunctions: Share[];
  projectInclusive: Share[];
};

/**
 * Where bin/build.mjs --bench compiles (its BENCH_DIST), under the repository: not imported from
 * there, because this file also runs compiled (the children, profile-read), where bin/ is not beside it.
 */
const COMPILED = 'node_modules/.cache/liaison-bench-build/';
/** The repository, also when this file runs compiled. */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(COMPILED, '');
const compiledRoot = `${repoRoot}${COMPILED}`;

/**
 * The file of a frame's URL, a compiled bench file (bin/build.mjs --bench, which the children
 * run) named by its source (`<repo>/api/app.ts`, not `<repo>/node_modules/.cache/…/api/app.js`).
 */
export function sourcePathOf(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (!path.startsWith(compiledRoot)) return path;
  return `${repoRoot}${path.slice(compiledRoot.length).replace(/\.js$/, '.ts')}`;
}

function categoryOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(program)') return '(program: native/unattributed)';
    return functionName || '(native)';
  }
  if (url.startsWith('node:')) return 'node core';
  const path = sourcePathOf(url);
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (path.startsWith(`${repoRoot}bench/`)) return 'bench harness';
  if (path.startsWith(repoRoot)) return `project ${path.slice(repoRoot.length).split('/')[0]}/`;
  return 'other';
}

function isProject(frame: CallFrame): boolean {
  return categoryOf(frame).startsWith('project ');
}

function frameName(frame: CallFrame): string {
  const file = sourcePathOf(frame.url);
  const short = file.startsWith(repoRoot) ? file.slice(repoRoot.length) : file.replace(/^.*\/node_modules\//, '');
  // tsx-compiled project files report line 0 for everything: leave the line out there.
  const line = frame.lineNumber > 0 ? `:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'} ${short}${short ? line : ''}`.trim();
}

function top(map: Map<string, number>, total: number, count: number): Share[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms, percent: (ms / total) * 100 }));
}

/**
 * Starts V8's sampling profiler on this thread (the bench's server children, the ingest child,
 * profile-read's layers); the function it answers stops it and writes the .cpuprofile to `file`.
 * With `workers`, also on each worker thread running when it starts whose entry URL it matches
 * (the ingest child's parse workers, where files are parsed, mapped and pseudonymized; not
 * tsx's loader threads), through the inspector's NodeWorker domain: each worker's profile goes
 * to `<file without .cpuprofile>.worker-<n>.cpuprofile`. Answers the files written.
 */
export async function startCpuProfile(options: { workers?: RegExp } = {}): Promise<(file: string) => Promise<string[]>> {
  const session = new Session();
  session.connect();
  const workers = options.workers ? await attachWorkers(session, options.workers) : [];
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  for (const worker of workers) {
    await worker.post('Profiler.enable');
    await worker.post('Profiler.start');
  }
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    const written = [file];
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(profile));
    for (const [n, worker] of workers.entries()) {
      const { profile: workerProfile } = (await worker.post('Profiler.stop')) as { profile: unknown };
      const workerFile = file.replace(/\.cpuprofile$/, '') + `.worker-${n + 1}.cpuprofile`;
      await writeFile(workerFile, JSON.stringify(workerProfile));
      written.push(workerFile);
    }
    session.disconnect();
    return written;
  };
}

type WorkerSession = { post(method: string, params?: object): Promise<unknown> };

/** A session on each worker thread running now whose URL matches (the NodeWorker domain reports them on enable). */
async function attachWorkers(session: Session, url: RegExp): Promise<WorkerSession[]> {
  const workers: WorkerSession[] = [];
  const pending = new Map<string, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  session.on('NodeWorker.attachedToWorker', ({ params }: { params: { sessionId: string; workerInfo: { url: string } } }) => {
    const { sessionId } = params;
    if (!url.test(params.workerInfo.url)) return;
    workers.push({
      post: (method, params = {}) =>
        new Promise((resolve, reject) => {
          const id = ++nextId;
          pending.set(`${sessionId}:${id}`, { resolve, reject });
          void session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params }) });
        }),
    });
  });
  session.on('NodeWorker.receivedMessageFromWorker', ({ params }: { params: { sessionId: string; message: string } }) => {
    const message = JSON.parse(params.message) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id === undefined) return;
    const waiting = pending.get(`${params.sessionId}:${message.id}`);
    pending.delete(`${params.sessionId}:${message.id}`);
    if (message.error) waiting?.reject(new Error(message.error.message));
    else waiting?.resolve(message.result);
  });
  await session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  return workers;
}

export async function summarizeProfile(file: string, count = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  const selfByPackage = new Map<string, number>();
  const inclusiveByPackage = new Map<string, number>();
  const selfFunctions = new Map<string, number>();
  const projectInclusive = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;

  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time since the previous sample; attribute it to this one.
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    busyMs += ms;
    add(selfByPackage, categoryOf(node.callFrame), ms);
    add(selfFunctions, frameName(node.callFrame), ms);
    const packages = new Set<string>();
    const functions = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      // The harness's pg wrapper sits under every query: it must not take pg's time as its own.
      if (frame.functionName === '(root)' || categoryOf(frame) === 'bench harness') continue;
      packages.add(categoryOf(frame));
      if (isProject(frame)) functions.add(frameName(frame));
    }
    for (const p of packages) add(inclusiveByPackage, p, ms);
    for (const f of functions) add(projectInclusive, f, ms);
  });

  return {
    busyMs,
    idleMs,
    selfByPackage: top(selfByPackage, busyMs, count),
    inclusiveByPackage: top(inclusiveByPackage, busyMs, count),
    topSelfFunctions: top(selfFunctions, busyMs, count + 5),
    projectInclusive: top(projectInclusive, busyMs, count),
  };
}

export function formatProfile(summary: ProfileSummary, requests: number): string {
  const rows = (title: string, shares: Share[]) =>
    [
      title,
      ...shares.map((s) => `  ${s.percent.toFixed(1).padStart(5)}%  ${(s.ms / Math.max(1, requests)).toFixed(3).padStart(7)} ms/req  ${s.name}`),
    ].join('\n');
  return [
    `busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms over ${requests} requests (${(summary.busyMs / Math.max(1, requests)).toFixed(2)} ms CPU/req on the main thread)`,
    rows('self time by package:', summary.selfByPackage),
    rows('inclusive time by package (on the stack):', summary.inclusiveByPackage),
    rows('top functions by self time:', summary.topSelfFunctions),
    rows('project functions by inclusive time:', summary.projectInclusive),
  ].join('\n');
}
