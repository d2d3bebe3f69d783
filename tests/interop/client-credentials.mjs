// openid-client's clientCredentialsGrant(), then the access token checked with jose against our
// JWKS as a resource server would (RFC 9068: typ at+jwt, issuer, audience).
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describeError, run } from './lib/harness.mjs';

const authentication = {
  client_secret_basic: client.ClientSecretBasic,
  client_secret_post: client.ClientSecretPost,
};

await run(async ({ issuer, clientId, clientSecret, authMethod, scope, audience }) => {
  const config = await client.discovery(
    new URL(issuer), clientId, undefined, authentication[authMethod](clientSecret),
    { execute: [client.allowInsecureRequests] });

  let tokens;
  try {
    tokens = await client.clientCredentialsGrant(config, scope ? { scope } : {});
  } catch (err) {
    return { error: await describeError(err) };
  }

  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
  const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
    issuer,
    audience,
    typ: 'at+jwt',
  });
  return {
    token_type: tokens.token_type,
    expires_in: tokens.expires_in,
    scope: tokens.scope,
    header: protectedHeader,
    claims: payload,
  };
});
