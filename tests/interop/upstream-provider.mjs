// A real, independent OpenID Provider (npm oidc-provider 9) for the federation tests: our server
// signs users in "with" it as a relying party. tests/IdentityProvider.Tests/Infrastructure/
// UpstreamOidcProvider.cs starts it on a loopback port; like smtp-sink.mjs it runs until the test
// closes its stdin. stdout carries one JSON object per line:
//   {"listening": port, "issuer": "http://127.0.0.1:port"}   once it accepts connections
//   {"login": {"sub", "client_id", "amr", "acr"}}               per successful password sign-in
//   {"token": {"client_id", "auth_method", "grant_type"}}       per successful token request
//   {"logout": {"client_id"}}                                   per confirmed RP-initiated logout
// Input (INTEROP_INPUT, the convention of every script here, so stdin stays the stop signal):
//   {"port": 0, "clients": [oidc-provider client metadata], "accounts": [{sub, login, password,
//    email, email_verified, name, groups, amr, acr}]}
// The interaction pages are its own: GET /interaction/:uid shows a login form (login, password,
// "Sign in"; "Cancel" answers access_denied), consent is granted without a page.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

console.log = console.error;
const input = JSON.parse(process.env.INTEROP_INPUT ?? '{}');
const accounts = input.accounts ?? [];

function send(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

// An account without an email or groups has no such claim, rather than a null one.
function withoutNulls(object) {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== null && value !== undefined));
}

const html = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// The issuer carries the port, so the port is taken before the provider exists; a request that
// comes in meanwhile (a relying party pointed at a fixed port) gets a 503, not a hang.
let handle = (_req, res) => {
  res.statusCode = 503;
  res.end();
};
const server = createServer((req, res) => handle(req, res));
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(input.port ?? 0, '127.0.0.1', resolve);
});
const port = server.address().port;
const issuer = `http://127.0.0.1:${port}`;

// Fresh keys per run: RS256 (the default ID token algorithm, PS256 signs with it too) and ES256.
const privateJwk = (type, options, kid) => ({
  ...generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' }),
  use: 'sig',
  kid,
});

const provider = new Provider(issuer, {
  // Client metadata as given: UpstreamOidcProvider.cs leaves out what the test did not set.
  clients: input.clients ?? [],
  jwks: {
    keys: [privateJwk('rsa', { modulusLength: 2048 }, `rsa-${port}`), privateJwk('ec', { namedCurve: 'P-256' }, `ec-${port}`)],
  },
  async findAccount(_ctx, sub) {
    const account = accounts.find((a) => a.sub === sub);
    if (!account) {
      return undefined;
    }
    return {
      accountId: sub,
      claims: () => withoutNulls({
        sub,
        email: account.email,
        email_verified: account.email_verified,
        name: account.name,
        preferred_username: account.login,
        groups: account.groups,
      }),
    };
  },
  // acr and amr are results of the sign-in, not account claims: listing them under openid puts
  // them in every ID token whose sign-in set them. conformIdTokenClaims off puts the scope
  // claims in the ID token too (not only at userinfo), which is what the federation client reads.
  claims: {
    openid: ['sub', 'acr', 'amr'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username', 'groups'],
    groups: ['groups'],
  },
  conformIdTokenClaims: false,
  acrValues: [...new Set(accounts.map((a) => a.acr).filter(Boolean))],
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // Cookies are per host, not per port: a prefix with the port keeps this provider's cookies apart
  // from ours and from a second upstream on 127.0.0.1 in the same browser or CookieContainer.
  // Without a Secure flag (plain http on loopback) they are sent by browsers and HttpClient alike.
  cookies: {
    keys: [randomBytes(32).toString('base64url')],
    names: { session: `up${port}_session`, interaction: `up${port}_interaction`, resume: `up${port}_resume` },
  },
  pkce: { required: () => true },
  // Explicit lifetimes (seconds), long enough for a slow test and short enough to mean something;
  // the defaults would also print a notice each.
  ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
  // oidc-provider refuses to fetch from loopback addresses (SSRF protection); the private_key_jwt
  // clients of the tests publish their jwks_uri on 127.0.0.1, so the protective dispatcher is dropped.
  fetch: (url, options) => globalThis.fetch(url, { ...options, dispatcher: undefined }),
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource,
      postLogoutSuccessSource,
    },
  },
});

provider.on('grant.success', (ctx) => {
  send({ token: { client_id: ctx.oidc.client.clientId, auth_method: ctx.oidc.client.clientAuthMethod, grant_type: ctx.oidc.params.grant_type } });
});
provider.on('end_session.success', (ctx) => send({ logout: { client_id: ctx.oidc.client?.clientId ?? null } }));
provider.on('server_error', (_ctx, error) => console.error(error));

async function logoutSource(ctx, form) {
  ctx.body = page('Sign out', `${form}
    <p>Sign out of ${html(ctx.host)}?</p>
    <button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
    <button type="submit" form="op.logoutForm">Stay signed in</button>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = page('Signed out', '<p>You are signed out.</p>');
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title></head>
<body><h1>${html(title)}</h1>
${body}
</body></html>`;
}

function loginForm(uid, clientId, login, error) {
  return page('Upstream sign-in', `<p>Signing in to ${html(clientId)}</p>
${error ? `<p class="error" role="alert">${html(error)}</p>` : ''}
<form method="post" action="/interaction/${html(uid)}">
  <label>Login <input name="login" autocomplete="username" value="${html(login)}" required autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit" name="action" value="login">Sign in</button>
  <button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
  }
  return new URLSearchParams(body);
}

// Consent without a page: the grant covers whatever the client asked for (scopes, the claims
// the prompt lists as missing, resource scopes), so oidc-provider's consent prompt is satisfied.
async function grantRequested(details, accountId) {
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  const missing = details.prompt.details ?? {};
  if (missing.missingOIDCClaims) {
    grant.addOIDCClaims(missing.missingOIDCClaims);
  }
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  return grant.save();
}

function respond(res, status, body) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  const clientId = details.params.client_id;

  if (req.method === 'GET') {
    if (details.prompt.name === 'login') {
      respond(res, 200, loginForm(uid, clientId, '', null));
      return;
    }
    // Signed in already (a second client, or a new grant): only consent is due.
    const grantId = await grantRequested(details, details.session.accountId);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }

  const form = await readForm(req);
  if (form.get('action') === 'cancel') {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user cancelled the sign-in.' }, { mergeWithLastSubmission: false });
    return;
  }

  const login = form.get('login') ?? '';
  const account = accounts.find((a) => a.login === login && a.password === form.get('password'));
  if (!account) {
    // The same page again, with the error; no redirect, so the relying party learns nothing.
    respond(res, 200, loginForm(uid, clientId, login, 'Wrong login or password.'));
    return;
  }

  const grantId = await grantRequested(details, account.sub);
  const result = {
    login: withoutNulls({ accountId: account.sub, amr: account.amr, acr: account.acr }),
    consent: { grantId },
  };
  // Reported before the redirect goes out, so it is on its way when the test gets the callback.
  send({ login: { sub: account.sub, client_id: clientId, amr: account.amr ?? null, acr: account.acr ?? null } });
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
handle = (req, res) => {
  const match = /^\/interaction\/([^/?]+)(?:\?.*)?$/.exec(req.url);
  if (!match) {
    callback(req, res);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'POST') {
    respond(res, 405, page('Method not allowed', ''));
    return;
  }
  interaction(req, res, match[1]).catch((error) => {
    // An unknown or expired interaction (no cookie, wrong uid) keeps oidc-provider's 4xx status;
    // anything else is a 500. The reason goes to stderr for the test's failure message.
    console.error(error);
    respond(res, error.statusCode ?? 500, page('Error', `<p>${html(error.error_description ?? error.message)}</p>`));
  });
};

// oidc-provider checks static client metadata on first use; checking it now makes a mistake in
// a test's configuration fail the start, with the reason on stderr, not a later authorization.
for (const client of input.clients ?? []) {
  await provider.Client.find(client.client_id);
}

send({ listening: port, issuer });

// The test ends the provider by closing stdin; the port is free once this process has exited.
process.stdin.resume();
process.stdin.on('end', () => {
  server.close(() => process.exit(0));
  // Keep-alive connections of a browser would hold close() open.
  server.closeAllConnections();
});
