// Where the pipeline's own CPU goes, from the V8 .cpuprofiles of the gateway child over one
// submission (its main thread, and its ingest worker, where the file is parsed, mapped,
// digested and pseudonymized; each summarized on its own): every busy sample is put in ONE stage, decided by the innermost frame on its
// stack that belongs to a known stage (node core frames are skipped over, so HMAC's
// node:crypto work lands on hmacHex, a socket write on pg). Stages: phone normalization
// (libphonenumber-js), HMAC, the rest of pseudonymization, file parsing and mapping by the
// adapter, the row checks, building the batch statement, the pg driver / Prisma, body
// metering, GC. Idle time is the child waiting, mostly for PostgreSQL.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sourcePathOf } from '../lib/profile.ts';

type CallFrame = { functionName: string; url: string };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

export type StageShare = { stage: string; ms: number; percent: number };
export type StageSummary = { busyMs: number; idleMs: number; stages: StageShare[] };

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The stage of one frame, or undefined when the frame says nothing (node core, anonymous glue). */
function stageOf(frame: CallFrame): string | undefined {
  const { url, functionName } = frame;
  if (!url) return functionName === '(garbage collector)' ? 'GC' : undefined;
  if (url.startsWith('node:')) return undefined;
  const path = sourcePathOf(url);
  if (path.includes('/node_modules/')) {
    if (path.includes('/libphonenumber-js/')) return 'phone normalization (libphonenumber-js)';
    if (/\/node_modules\/(stream-json|stream-chain|csv-parse|fast-xml-parser)\//.test(path)) return 'parse (parser library)';
    if (/\/node_modules\/(pg|pg-protocol|pg-types|pg-pool|@prisma\/[^/]+|prisma)\//.test(path)) return 'SQL: pg driver + Prisma (JS side)';
    if (path.includes('/node_modules/ngeohash/')) return 'pseudonymize: other';
    if (path.includes('/node_modules/ibantools/')) return 'pseudonymize: other';
    return undefined;
  }
  if (!path.startsWith(repoRoot)) return undefined;
  const file = path.slice(repoRoot.length);
  if (file === 'adapters/pseudonymize.ts') return functionName === 'hmacHex' || functionName === 'selectorHash' ? 'HMAC-SHA256 (selectors, personKey)' : 'pseudonymize: other';
  if (file === 'adapters/shared/identifiers.ts') return 'pseudonymize: other';
  if (file.startsWith('adapters/')) return 'parse + map (adapter)';
  if (file === 'ingest/rows.ts') return 'row checks (ingest/rows.ts)';
  if (file.startsWith('ingest/batch/') || file === 'ingest/writer.ts') return 'SQL: batch statement build (ingest/batch)';
  if (file === 'ingest/spool.ts') return 'upload spool (sha256, encryption, byte count)';
  if (file.startsWith('ingest/')) return 'pipeline glue (ingest/pipeline.ts, report)';
  return undefined;
}

export async function summarizeStages(file: string): Promise<StageSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stageOfNode = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = stageOfNode.get(id);
    if (known) return known;
    let stage: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !stage; at = parent.get(at)) stage = stageOf(byId.get(at)!.callFrame);
    const result = stage ?? (byId.get(id)!.callFrame.functionName === '(program)' ? '(program: native/unattributed)' : 'other');
    stageOfNode.set(id, result);
    return result;
  };
  const ms = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, i) => {
    const delta = (profile.timeDeltas[i] ?? 0) / 1000;
    if (byId.get(id)!.callFrame.functionName === '(idle)') {
      idleMs += delta;
      return;
    }
    busyMs += delta;
    const stage = resolve(id);
    ms.set(stage, (ms.get(stage) ?? 0) + delta);
  });
  const stages = [...ms.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([stage, v]) => ({ stage, ms: v, percent: (v / busyMs) * 100 }));
  return { busyMs, idleMs, stages };
}

/** `thread`: which thread the profile is of, and what it waits for when idle. */
export function formatStages(summary: StageSummary, records: number, thread = 'gateway main thread', waiting = 'waiting, mostly on PostgreSQL'): string {
  const wall = summary.busyMs + summary.idleMs;
  return [
    `${thread}: busy ${(summary.busyMs / 1000).toFixed(2)} s, idle (${waiting}) ${(summary.idleMs / 1000).toFixed(2)} s ` +
      `of ${(wall / 1000).toFixed(2)} s; ${((summary.busyMs * 1000) / records).toFixed(1)} µs CPU/record`,
    ...summary.stages.map(
      (s) => `  ${s.percent.toFixed(1).padStart(5)}%  ${((s.ms * 1000) / records).toFixed(1).padStart(6)} µs/record  ${s.stage}`,
    ),
  ].join('\n');
}
