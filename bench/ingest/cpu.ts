// The CPU an ingest worker spends per record, format by format, without a database:
// `npx tsx bench/ingest/cpu.ts [--records N] [--formats a,b]` generates one file per format
// (bench/ingest/generate.ts), then reads it as the worker does (ingest/prepare.ts: adapter,
// digest, pseudonymization, rows; every record "new", so each is pseudonymized) and prints
// records per CPU second for the parse+map stage alone and for the whole preparation. Run it
// under `node --cpu-prof --import tsx` to see where a slow format spends its time.
import { mkdtemp, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getAdapter } from '../../adapters/index.ts';
import { prepareBatches } from '../../ingest/prepare.ts';
import { digestKey } from '../../ingest/record-digest.ts';
import { BENCH_FORMATS, generateFile, type BenchFormat } from './generate.ts';
import { formatAgency, OPERATION_CODE } from './setup.ts';

const KEY = 'bench-ingest-cpu-pseudonym-key-0123456789abcdef';

async function* fileChunks(path: string): AsyncIterable<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) yield chunk as Buffer;
}

const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
};

async function measure(format: BenchFormat, file: string): Promise<{ parse: number; prepare: number; records: number }> {
  const adapter = getAdapter(format)!;
  const context = { agencyCode: formatAgency(format), operationCode: OPERATION_CODE, today: new Date().toISOString().slice(0, 10) };
  let records = 0;
  let from = process.cpuUsage();
  for await (const item of adapter.parse(fileChunks(file), context)) if (item.kind === 'record') records++;
  const parse = cpuSeconds(from);
  from = process.cpuUsage();
  const options = {
    pseudonymKey: KEY,
    ownerCode: context.agencyCode,
    digestKey: digestKey(KEY),
    digest: { operationId: '00000000-0000-4000-8000-000000000000' },
    batchRecords: 1000,
    maxRecords: Number.MAX_SAFE_INTEGER,
  };
  for await (const batch of prepareBatches(adapter.parse(fileChunks(file), context), options, async () => [])) void batch;
  return { parse, prepare: cpuSeconds(from), records };
}

const { values } = parseArgs({ options: { records: { type: 'string', default: '20000' }, formats: { type: 'string', default: BENCH_FORMATS.join(',') } } });
const count = Number(values.records);
const formats = values.formats.split(',') as BenchFormat[];
const dir = await mkdtemp(join(tmpdir(), 'liaison-ingest-cpu-'));
try {
  console.log(`ingest worker CPU per format, ${count} records each; load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
  console.log('| format | records | parse+map records/CPU s | whole preparation records/CPU s |');
  console.log('|---|---|---|---|');
  for (const format of formats) {
    const file = join(dir, `${format}.data`);
    await generateFile(file, { format, count, agencyCode: formatAgency(format), operationCode: OPERATION_CODE, seed: 20220611 });
    const m = await measure(format, file);
    console.log(`| ${format} | ${m.records} | ${(m.records / m.parse).toFixed(0)} | ${(m.records / m.prepare).toFixed(0)} |`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
