// private_key_jwt (RFC 7523) as openid-client signs it. The key pair is made here, so the script
// asks the test to register its public half before it can authenticate.
import * as client from 'openid-client';
import { exportJWK, generateKeyPair } from 'jose';
import { ask, run } from './lib/harness.mjs';

await run(async ({ issuer, scope }) => {
  const kid = 'interop-es256';
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const { clientId } = await ask('register', { jwks: { keys: [jwk] } });

  const config = await client.discovery(
    new URL(issuer), clientId, undefined, client.PrivateKeyJwt({ key: privateKey, kid }),
    { execute: [client.allowInsecureRequests] });
  const tokens = await client.clientCredentialsGrant(config, { scope });
  return { scope: tokens.scope, access_token: tokens.access_token };
});
