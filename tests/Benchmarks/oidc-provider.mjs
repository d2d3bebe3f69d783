// The comparison server: node oidc-provider configured as close to our server as its model
// allows, for the client_credentials benchmark. Started by run.sh; configured by environment:
//   PORT, ISSUER, CLIENT_ID, CLIENT_SECRET, SCOPE, ACCESS_TOKEN_ALG (ES256 or RS256).
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
  ],
  jwks,
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

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer} (access tokens ${accessTokenAlg})`);
});

// run.sh stops us with SIGTERM; close cleanly so the exit code says nothing went wrong.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
