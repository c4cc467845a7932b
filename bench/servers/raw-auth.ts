// The raw peer of the trivial query `{ me { agency { code } } }`: node:http + a pg Pool doing
// the same authentication the gateway does for it, and nothing else: the agency and its keys
// looked up by the token's `iss`, the token verified with jose against them (allowed
// algorithms, audience, issuer, lifetime), the `jti` inserted into the shared replay cache
// (a token is good for one request), and the agency's code answered in the GraphQL shape.
// No GraphQL, no audit row, no rate limits: what remains of the gateway's time is theirs.
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWK } from 'jose';
import { runBenchChild, requiredEnv } from '../lib/child.ts';
import { ENV } from '../lib/protocol.ts';
import { benchPoolAndViewer, serveRaw, type RawAnswer } from '../lib/raw-http.ts';

const ALGORITHMS = ['EdDSA', 'ES256', 'ES384', 'PS256'];
const AGENCY_KEYS = `
  SELECT a.id, a.code, k.jwk FROM agency a JOIN agency_key k ON k.agency_id = a.id
   WHERE a.code = $1 AND a.status = 'ACTIVE'`;
const REMEMBER_JTI = `
  INSERT INTO replay_cache (iss, jti, expires_at) VALUES ($1, $2, to_timestamp($3))
  ON CONFLICT DO NOTHING RETURNING 1 AS fresh`;

const refused = (reason: string): RawAnswer => ({
  status: 401,
  body: JSON.stringify({ errors: [{ message: 'Unauthenticated.', extensions: { code: 'UNAUTHENTICATED', reason } }] }),
});

await runBenchChild(async () => {
  const { pool } = await benchPoolAndViewer();
  const audience = requiredEnv(ENV.audience);
  return serveRaw(async (_body, headers) => {
    const token = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1];
    if (!token) return refused('missing_token');
    const iss = decodeJwt(token).iss;
    if (typeof iss !== 'string') return refused('malformed_token');
    const keys = await pool.query<{ id: string; code: string; jwk: JWK }>({ name: 'bench_agency_keys', text: AGENCY_KEYS, values: [iss] });
    const agency = keys.rows[0];
    if (!agency) return refused('unknown_issuer');
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: keys.rows.map((r) => r.jwk) }), {
      issuer: agency.code,
      audience,
      algorithms: ALGORITHMS,
      maxTokenAge: 300,
      clockTolerance: 10,
      requiredClaims: ['sub', 'jti', 'iat', 'exp'],
    }).catch(() => ({ payload: null }));
    if (!payload) return refused('invalid_token');
    const fresh = await pool.query({ name: 'bench_remember_jti', text: REMEMBER_JTI, values: [agency.code, payload.jti, payload.exp] });
    if (fresh.rowCount === 0) return refused('token_reused');
    return { status: 200, body: JSON.stringify({ data: { me: { agency: { code: agency.code } } } }) };
  }, () => pool.end());
});
