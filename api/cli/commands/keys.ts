// `liaison keys generate` (an agency's signing pair) and `liaison keys rotate-gateway`.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ALLOWED_ALGS } from '../../auth/key-policy.ts';
import { loadPseudonymKey } from '../../../kernel/data-dir.ts';
import { CliError, config, defineCommand, enumOption, withDatabase, type LiaisonCommand } from '../support.ts';

/** Where `keys generate` writes without --out: a folder .gitignore keeps out of the repository. */
export const DEFAULT_KEYS_DIR = 'liaison-keys';

export function registerKeysCommands(program: LiaisonCommand): void {
  const keys = program.command('keys').description('key tooling for partner agencies');
  defineCommand(keys, 'generate', { data: 'none' })
    .description('generate a signing key pair: DIR/private.jwk.json (keep secret) and DIR/jwks.json (register it)')
    .requiredOption('--kid <kid>', 'key id, e.g. es-pn-2026-1')
    .addOption(enumOption('--alg <alg>', 'signature algorithm', ALLOWED_ALGS).default('EdDSA'))
    .option('--out <dir>', `directory to write the files to (default: ${DEFAULT_KEYS_DIR}/KID, git-ignored)`)
    .action(async (opts: { kid: string; alg: (typeof ALLOWED_ALGS)[number]; out?: string }) => {
      const { generateAgencyKeyPair } = await import('../../auth/keys.ts');
      const pair = await generateAgencyKeyPair({ kid: opts.kid, alg: opts.alg });
      const dir = resolve(opts.out ?? join(DEFAULT_KEYS_DIR, opts.kid));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(join(dir, 'private.jwk.json'), `${JSON.stringify(pair.privateJwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' }).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST') throw new CliError(`${join(dir, 'private.jwk.json')} exists; not overwriting a key`);
          throw error;
        },
      );
      await writeFile(join(dir, 'jwks.json'), `${JSON.stringify(pair.jwks, null, 2)}\n`);
      process.stdout.write(`wrote ${join(dir, 'private.jwk.json')} (secret, mode 600) and ${join(dir, 'jwks.json')}\n`);
    });

  const rotate = defineCommand(keys, 'rotate-gateway', { data: 'changes', route: 'direct-only' })
    .description('retire the gateway receipt-signing key and create a new one (old receipts keep verifying)')
    .action(async () => {
      const kid = await withDatabase(rotate, async (db) => {
        const { createReceiptSigner } = await import('../../../ingest/receipts.ts');
        const signer = await createReceiptSigner(db.prisma, await loadPseudonymKey(config()));
        return signer.rotate();
      });
      process.stdout.write(`new receipt key ${kid}; earlier keys stay published at /.well-known/jwks.json\n`);
    });
}
