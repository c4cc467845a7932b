// `liaison submit`: streams a partner file to POST /v1/submissions with a progress bar of
// the bytes sent, then prints the report in a readable form (counts, then each issue with
// its line or path, field and code). Exit code 0 when ACCEPTED, 1 otherwise.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { SingleBar, Presets } from 'cli-progress';

export type SubmitOptions = {
  file: string;
  format: string;
  operation: string;
  token: string;
  url: string;
  mode: 'ATOMIC' | 'PARTIAL';
  dryRun: boolean;
  idempotencyKey?: string;
  progress: boolean;
};

type Report = {
  id: string;
  status: string;
  dryRun: boolean;
  counts: Record<string, number>;
  issues: { line?: number; path?: string; field: string; code: string; severity: string; ref?: string }[];
  receipt: string;
};

type Problem = { title?: string; detail?: string; code?: string; issues?: unknown[] };

export async function submitFile(options: SubmitOptions, out: NodeJS.WritableStream = process.stdout): Promise<boolean> {
  const size = (await stat(options.file)).size;
  const bar = options.progress
    ? new SingleBar({ format: ' uploading |{bar}| {percentage}% {value}/{total} bytes', hideCursor: true }, Presets.shades_classic)
    : undefined;
  bar?.start(size, 0);
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.length;
      bar?.update(sent);
      done(null, chunk);
    },
  });
  const body = Readable.toWeb(createReadStream(options.file).pipe(counter)) as ReadableStream<Uint8Array>;
  const url = new URL('/v1/submissions', options.url);
  url.searchParams.set('format', options.format);
  url.searchParams.set('operation', options.operation);
  url.searchParams.set('mode', options.mode);
  url.searchParams.set('dryRun', String(options.dryRun));
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(size),
        ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
      },
      body,
      duplex: 'half',
    } as RequestInit);
  } finally {
    bar?.stop();
  }
  const payload = (await response.json()) as Report & Problem;
  if (!payload.counts) {
    out.write(`submission refused (${response.status} ${payload.code ?? ''}): ${payload.detail ?? payload.title ?? ''}\n`);
    if (payload.issues) out.write(`${JSON.stringify(payload.issues, null, 2)}\n`);
    return false;
  }
  out.write(formatReport(payload, response.status));
  return payload.status === 'ACCEPTED';
}

export function formatReport(report: Report, httpStatus: number): string {
  const c = report.counts;
  const lines = [
    `submission ${report.id}: ${report.status}${report.dryRun ? ' (dry run: nothing stored)' : ''}${httpStatus === 200 ? ' (already received: first report)' : ''}`,
    `  received ${c.received ?? 0}  accepted ${c.accepted ?? 0}  updated ${c.updated ?? 0}  unchanged ${c.unchanged ?? 0}  rejected ${c.rejected ?? 0}  skipped ${c.skipped ?? 0}`,
  ];
  const errors = report.issues.filter((i) => i.severity === 'error');
  const warnings = report.issues.filter((i) => i.severity !== 'error');
  for (const [title, list] of [['errors', errors], ['warnings', warnings]] as const) {
    if (!list.length) continue;
    lines.push(`  ${title}:`);
    for (const i of list) {
      const where = i.line !== undefined ? `line ${i.line}` : (i.path ?? '');
      lines.push(`    ${where.padEnd(28)} ${i.field.padEnd(22)} ${i.code}${i.ref ? `  (ref ${i.ref})` : ''}`);
    }
  }
  lines.push(`  receipt: ${report.receipt.slice(0, 32)}… (verify with /.well-known/jwks.json)`);
  return `${lines.join('\n')}\n`;
}
