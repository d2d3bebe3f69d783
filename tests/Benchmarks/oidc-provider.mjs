// The comparison server: node oidc-provider configured as close to our server as its model
// allows, for the client_credentials and refresh_token benchmarks. Started by run.sh; configured
// by environment: PORT, ISSUER, CLIENT_ID, CLIENT_SECRET, SCOPE, ACCESS_TOKEN_ALG (ES256 or
// RS256), and for refresh_token RT_CLIENT_ID, RT_CLIENT_SECRET, RT_REDIRECT_URI.
//
// Refresh tokens come from a real authorization code flow (flows.mjs drives it). The
// interaction, which a real deployment renders as login and consent pages, completes at once
// for one fixed account with every requested scope granted: oidc-provider's sign-in UI is not
// what is being compared, and ours is measured on its own (signin.mjs).
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const required = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`oidc-provider.mjs: ${name} is not set`);
  }
  return value;
};

const port = Number(required('PORT'));
const issuer = required('ISSUER');
const clientId = required('CLIENT_ID');
const clientSecret = required('CLIENT_SECRET');
const scope = required('SCOPE');
const accessTokenAlg = required('ACCESS_TOKEN_ALG');
const rtClientId = required('RT_CLIENT_ID');
const rtClientSecret = required('RT_CLIENT_SECRET');
const rtRedirectUri = required('RT_REDIRECT_URI');
const accountId = 'bench-user';

// Our server keeps one current key per algorithm (RSA 2048 and P-256) and publishes both, so
// this one gets the same pair: the JWKS responses are then of comparable size, and RSA signing
// costs the same on both sides.
const privateJwk = (type, options, alg, kid) => ({
  ...generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' }),
  alg,
  use: 'sig',
  kid,
});
const jwks = {
  keys: [
    privateJwk('rsa', { modulusLength: 2048 }, 'RS256', 'bench-rs256'),
    privateJwk('ec', { namedCurve: 'P-256' }, 'ES256', 'bench-es256'),
  ],
};

// Ours has no resource indicators: every access token gets one configured audience. The
// equivalent here is a single resource server that is the default for every request, so the
// client sends the same form as it does to ours (grant_type and scope, no resource parameter).
const resource = `${issuer}/resources`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope,
    },
    {
      client_id: rtClientId,
      client_secret: rtClientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [rtRedirectUri],
      scope: `openid offline_access ${scope}`,
    },
  ],
  jwks,
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // Ours rotates a refresh token on every use; oidc-provider's default rotates only for public
  // clients or past 70 % of the lifetime, which would make every request a read, not a write.
  rotateRefreshToken: () => true,
  // A client may only register scopes the server knows.
  scopes: ['openid', 'offline_access', scope],
  // Cookies are never set on this path, but the provider warns at start-up without keys.
  cookies: { keys: [clientSecret] },
  // One hour, as ours (OpenIdServer:AccessTokenLifetime).
  ttl: { ClientCredentials: 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope,
        audience: resource,
        // RFC 9068 JWT (typ at+jwt), as ours issues; the default would be an opaque token.
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: accessTokenAlg } },
      }),
    },
  },
});

// The interaction: sign in the fixed account and grant what was asked (openid, offline_access
// and the resource's scope), then send the browser back to the authorization endpoint.
async function completeInteraction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope));
  grant.addResourceScope(resource, scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    completeInteraction(req, res).catch((error) => {
      console.error(error);
      res.statusCode = 500;
      res.end(String(error));
    });
    return;
  }
  callback(req, res);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer} (access tokens ${accessTokenAlg})`);
});

// run.sh stops us with SIGTERM; close cleanly so the exit code says nothing went wrong.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
