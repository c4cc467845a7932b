// Gets a reusable access token from the gateway with a standard OAuth client library
// (openid-client): discovery from /.well-known/oauth-authorization-server, then the client
// credentials grant authenticated with private_key_jwt (your agency key signs the assertion).
// Prints the access token; use it as `Authorization: Bearer <token>` until it expires (5 min by
// default). Env: LIAISON_URL (the gateway, which is also its OAuth issuer), LIAISON_AGENCY (your
// agency code, the client_id), LIAISON_KEY_FILE (your private.jwk.json), LIAISON_SCOPE (optional).
import { readFile } from 'node:fs/promises';
import { importJWK, type JWK } from 'jose';
import * as client from 'openid-client';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

const issuer = new URL(env('LIAISON_URL'));
const jwk = JSON.parse(await readFile(env('LIAISON_KEY_FILE'), 'utf8')) as JWK & { kid: string; alg: string };
const key = await importJWK(jwk, jwk.alg);
if (key instanceof Uint8Array) throw new Error('LIAISON_KEY_FILE must hold a private JWK, not a secret');

// openid-client names an Ed25519 key's algorithm "Ed25519" (RFC 9864); the gateway's allow-list
// has it as "EdDSA". The library's documented remap:
const remapEd25519: client.ModifyAssertionOptions = {
  [client.modifyAssertion]: (header) => {
    if (header.alg === 'Ed25519') header.alg = 'EdDSA';
  },
};

const config = await client.discovery(issuer, env('LIAISON_AGENCY'), undefined, client.PrivateKeyJwt({ key, kid: jwk.kid }, remapEd25519), {
  algorithm: 'oauth2',
  // Plain http is for a gateway on your own machine only.
  execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
});
const scope = process.env.LIAISON_SCOPE;
const tokens = await client.clientCredentialsGrant(config, scope ? { scope } : {});
console.log(tokens.access_token);
