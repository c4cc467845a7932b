// `liaison audit verify`: checks the hash chain of the audit log, reading the database directly.
import { defineCommand, UsageError, withDatabase, type LiaisonCommand } from '../support.ts';

function parseAnchor(text: string) {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(text);
  if (!m) throw new UsageError('--anchor: SEQ:HASH as printed by `liaison audit verify`');
  return { seq: BigInt(m[1]!), hash: m[2]! };
}

export function registerAuditCommands(program: LiaisonCommand): void {
  const audit = program.command('audit').description('the hash-chained audit log');
  const verify = defineCommand(audit, 'verify', { data: 'reads', route: 'direct-only' })
    .description('check the audit chain; exits 1 when an event was edited, deleted or reordered')
    .option('--anchor <seq:hash>', 'a head exported earlier (detects a truncated tail)')
    .action(async (opts: { anchor?: string }) => {
      const anchor = opts.anchor ? parseAnchor(opts.anchor) : undefined;
      const { auditHead, verifyAuditChain } = await import('../../../kernel/audit.ts');
      const { report, head } = await withDatabase(verify, async (db) => ({
        report: await verifyAuditChain(db.prisma, anchor ? { anchor } : {}),
        head: await auditHead(db.prisma),
      }));
      if (report.ok) {
        process.stdout.write(`audit chain intact: ${report.count} events; head ${head.seq}:${head.hash}\n`);
      } else {
        process.stdout.write(
          `audit chain BROKEN at event ${report.firstBadSeq ?? '?'} (${report.problem ?? 'unknown'}) after ${report.count} good events\n`,
        );
        process.exitCode = 1;
      }
    });
}
