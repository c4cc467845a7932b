// A gateway call of the CLI's governance commands (api/cli/governance.ts) as one agency, with
// what the command prints collected instead of written to stdout.
import { Writable } from 'node:stream';
import type { GatewayCall } from '../../api/cli/governance.ts';
import type { TestAgency } from './app.ts';

export async function cliCallAs(url: string, agency: TestAgency, json = false): Promise<GatewayCall & { printed: () => string }> {
  let output = '';
  const out = new Writable({
    write(chunk, _encoding, done) {
      output += String(chunk);
      done();
    },
  });
  return { url, token: await agency.token(), json, out, printed: () => output };
}
