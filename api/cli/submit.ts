// `liaison submit`: streams a partner file to POST /v1/submissions with a progress bar of
// the bytes sent, then prints the report in a readable form (counts, then each issue with
// its line or path, field and code) or, with `json`, the whole report and its receipt as the
// gateway sent them. The exit code: 0 every record accepted, 2 accepted with rejected records
// (PARTIAL), 1 refused. The HTTP call goes through openapi-fetch on the types generated from
// api/openapi.yaml. A dry run is not stored: its report is printed without an id, since
// GET /v1/submissions/{id} does not know it.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { SingleBar, Presets } from 'cli-progress';
import createClient from 'openapi-fetch';
import type { components, paths } from '../openapi-types.ts';
import { CliError, EXIT, unreachable } from './support.ts';

export type SubmitOptions = {
  file: string;
  format: string;
  operation: string;
  token: string;
  url: string;
  mode: 'ATOMIC' | 'PARTIAL';
  dryRun: boolean;
  /** Defaults for records that carry none (the gateway checks them). */
  handling?: 'H0' | 'H1' | 'H2';
  evaluation?: string;
  idempotencyKey?: string;
  progress: boolean;
  /** Print the gateway's JSON (report with receipt, or problem) instead of the readable text. */
  json?: boolean;
};

export type SubmitOutcome = { exitCode: number; httpStatus: number; body: Report | Problem };

type Report = components['schemas']['SubmissionReport'];
type Problem = components['schemas']['Problem'];
/** The server judges the format (415 for an unknown one); the CLI passes the user's word on. */
type Format = paths['/v1/submissions']['post']['parameters']['query']['format'];

export async function submitFile(options: SubmitOptions, out: NodeJS.WritableStream = process.stdout): Promise<SubmitOutcome> {
  const size = (
    await stat(options.file).catch(() => {
      throw new CliError(`cannot read file ${options.file}`);
    })
  ).size;
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
  const client = createClient<paths>({ baseUrl: options.url });
  const result = await client
    .POST('/v1/submissions', {
      params: {
        query: {
          format: options.format as Format,
          operation: options.operation,
          mode: options.mode,
          dryRun: options.dryRun,
          ...(options.handling ? { handling: options.handling } : {}),
          ...(options.evaluation ? { evaluation: options.evaluation } : {}),
        },
        ...(options.idempotencyKey ? { header: { 'Idempotency-Key': options.idempotencyKey } } : {}),
      },
      headers: {
        authorization: `Bearer ${options.token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(size),
      },
      // application/octet-stream is documented without a schema: the file goes out as a stream.
      body,
      bodySerializer: (stream: unknown) => stream,
      duplex: 'half',
    })
    .catch((error: unknown) => {
      throw unreachable(options.url, error);
    })
    .finally(() => bar?.stop());
  const { response } = result;
  // 201 and 200 are `data`; a 422 is a REJECTED report or a problem, every other status a problem.
  const payload: Report | Problem = result.data ?? result.error;
  const exitCode = !('counts' in payload) || payload.status !== 'ACCEPTED'
    ? EXIT.REFUSED
    : (payload.counts.rejected ?? 0) > 0
      ? EXIT.REJECTED_RECORDS
      : EXIT.OK;
  if (options.json) {
    out.write(`${JSON.stringify(payload, null, 2)}\n`);
  } else if (!('counts' in payload)) {
    out.write(`submission refused (${response.status} ${payload.code ?? ''}): ${payload.detail ?? payload.title ?? ''}\n`);
    if (payload.issues) out.write(`${JSON.stringify(payload.issues, null, 2)}\n`);
  } else {
    out.write(formatReport(payload, response.status));
  }
  return { exitCode, httpStatus: response.status, body: payload };
}

export function formatReport(report: Report, httpStatus: number): string {
  const c = report.counts;
  const head = report.dryRun ? 'dry run (nothing stored, no id to read back)' : `submission ${report.id}`;
  const lines = [
    `${head}: ${report.status}${httpStatus === 200 ? ' (already received: first report)' : ''}`,
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
  lines.push(`  receipt: ${report.receipt.slice(0, 32)}… (the whole report and receipt: --json or --out FILE)`);
  return `${lines.join('\n')}\n`;
}
