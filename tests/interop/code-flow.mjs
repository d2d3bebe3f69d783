// The authorization code flow as openid-client 6 runs it: discovery, PKCE (S256), state and
// nonce, the callback checked for RFC 9207 iss, the ID token validated, then refresh-token
// rotation (reuse refused), UserInfo, introspection and revocation, and the RP-initiated logout
// URL. Signing in is the test's part.
import * as client from 'openid-client';
import { describeError, ask, run } from './lib/harness.mjs';

await run(async ({ issuer, clientId, clientSecret, redirectUri, postLogoutRedirectUri }) => {
  const config = await client.discovery(
    new URL(issuer), clientId, undefined, client.ClientSecretBasic(clientSecret),
    { execute: [client.allowInsecureRequests] });

  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });

  const { callbackUrl } = await ask('login', { authorizationUrl: authorizationUrl.href });
  const tokens = await client.authorizationCodeGrant(config, new URL(callbackUrl), {
    pkceCodeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
  });

  // OIDC Core §5.3.2: openid-client checks that UserInfo's sub is the ID token's.
  const userInfo = await client.fetchUserInfo(config, tokens.access_token, tokens.claims().sub);
  const introspected = await client.tokenIntrospection(config, tokens.access_token);

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  const beforeRevocation = await client.tokenIntrospection(config, refreshed.access_token);

  // RFC 7009: revoking the refresh token ends its grant; introspection then says inactive.
  await client.tokenRevocation(config, refreshed.refresh_token);
  const afterRevocation = await client.tokenIntrospection(config, refreshed.access_token);

  // The first refresh token was rotated away: using it again is refused.
  let reuse;
  try {
    await client.refreshTokenGrant(config, tokens.refresh_token);
  } catch (err) {
    reuse = await describeError(err);
  }

  const endSessionUrl = client.buildEndSessionUrl(config, {
    id_token_hint: refreshed.id_token ?? tokens.id_token,
    post_logout_redirect_uri: postLogoutRedirectUri,
    state: 'bye',
  });

  return {
    claims: tokens.claims(),
    scope: tokens.scope,
    rotated: refreshed.refresh_token !== tokens.refresh_token,
    refreshedClaims: refreshed.claims(),
    reuse,
    userInfo,
    introspected,
    beforeRevocation,
    afterRevocation,
    endSessionUrl: endSessionUrl.href,
  };
});
