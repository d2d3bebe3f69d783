// Browserless scripted flows: the authorization code flow with PKCE through each server's
// sign-in, the first-administrator setup link and TOTP enrolment on ours. Used to mint refresh
// tokens for the refresh_token case (cases.mjs) and by the sign-in benchmark (signin.mjs).
import { createHash, randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';

/**
 * Set `observer.wrap = async (label, run) => ...` to see every HTTP exchange of the flows (label
 * "METHOD /path"); signin.mjs uses it to attribute the server's CPU to each step.
 */
export const observer = { wrap: null };
const observed = (label, run) => (observer.wrap ? observer.wrap(label, run) : run());

/** A cookie jar and fetch without automatic redirects, sending every request to `base`. */
export class Browser {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
  }

  async request(pathOrUrl, { method = 'GET', form, headers = {} } = {}) {
    // Locations carry the configured issuer's host (localhost:port): keep only path and query.
    const url = new URL(pathOrUrl, this.base);
    const target = new URL(url.pathname + url.search, this.base);
    const sent = { ...headers };
    if (this.cookies.size > 0) {
      sent.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    let body;
    if (form) {
      body = new URLSearchParams(form).toString();
      sent['content-type'] = 'application/x-www-form-urlencoded';
    }
    const { response, text } = await observed(`${method} ${target.pathname}`, async () => {
      const answer = await fetch(target, { method, headers: sent, body, redirect: 'manual' });
      return { response: answer, text: await answer.text() };
    });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0];
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(cookie)) {
        this.cookies.delete(name);
      } else {
        this.cookies.set(name, value);
      }
    }
    return { status: response.status, location: response.headers.get('location'), text };
  }
}

export function antiforgeryToken(html) {
  const input = html.match(/<input[^>]*name="__RequestVerificationToken"[^>]*>/)?.[0];
  const value = input?.match(/value="([^"]+)"/)?.[1];
  if (!value) {
    throw new Error('no antiforgery token in the page');
  }
  return value;
}

function expect(response, statuses, what) {
  if (!statuses.includes(response.status)) {
    // Our pages answer a refused sign-in with 200 and one generic message.
    const page = /Login failed/.test(response.text) ? 'the "Login failed" page' : response.text.slice(0, 300);
    throw new Error(`${what}: status ${response.status}${response.location ? ' to ' + response.location : ''}: ${page}`);
  }
  return response;
}

export async function discover(base) {
  const document = await (await fetch(new URL('/.well-known/openid-configuration', base))).json();
  return {
    authorize: new URL(document.authorization_endpoint).pathname,
    token: new URL(document.token_endpoint).pathname,
  };
}

/** A new authorization request with PKCE (S256): the URL and what the code exchange needs. */
function authorizationRequest(paths, client, extra = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: client.scope,
    state: randomBytes(12).toString('base64url'),
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url: `${paths.authorize}?${params}`, verifier, state: params.get('state') };
}

function codeFrom(location, client, state) {
  const url = new URL(location);
  if (`${url.origin}${url.pathname}` !== client.redirectUri) {
    throw new Error(`redirected to ${location}, not the client`);
  }
  if (url.searchParams.get('error')) {
    throw new Error(`authorization error ${url.searchParams.get('error')}: ${url.searchParams.get('error_description')}`);
  }
  if (url.searchParams.get('state') !== state) {
    throw new Error('state mismatch');
  }
  return url.searchParams.get('code');
}

async function redeem(base, paths, client, code, verifier) {
  const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');
  const { response, text } = await observed(`POST ${paths.token}`, async () => {
    const answer = await fetch(new URL(paths.token, base), {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: verifier }).toString(),
    });
    return { response: answer, text: await answer.text() };
  });
  if (response.status !== 200) {
    throw new Error(`code exchange: status ${response.status}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text);
}

/**
 * One complete sign-in on our hosted pages, as a new browser: GET authorize → 302 login page →
 * GET it (antiforgery token and cookie) → POST username and password → [303 code page → GET →
 * POST the TOTP code] → 303 resume → 302 to the client with a code → POST the token endpoint.
 * `totpCode` is a function returning the code to type, for a user with two factors.
 */
export async function signInOurs(base, paths, client, { username, password, totpCode }) {
  const browser = new Browser(base);
  const request = authorizationRequest(paths, client);
  const toLogin = expect(await browser.request(request.url), [302, 303], 'authorize');
  const loginPage = expect(await browser.request(toLogin.location), [200], 'login page');
  const requestId = new URL(toLogin.location, base).searchParams.get('request');
  let next = expect(await browser.request(toLogin.location, {
    method: 'POST',
    form: { request: requestId ?? '', Username: username, Password: password, __RequestVerificationToken: antiforgeryToken(loginPage.text) },
  }), [303], 'password');
  if (new URL(next.location, base).pathname === '/account/login/code') {
    if (!totpCode) {
      throw new Error('the user has a second factor and no code was given');
    }
    const codePage = expect(await browser.request(next.location), [200], 'code page');
    next = expect(await browser.request(next.location, {
      method: 'POST',
      form: { Method: '', Code: totpCode(), __RequestVerificationToken: antiforgeryToken(codePage.text) },
    }), [303], 'code');
  }
  let hops = 0;
  while (!next.location.startsWith(client.redirectUri)) {
    if (++hops > 5) {
      throw new Error(`too many redirects, last ${next.location}`);
    }
    next = expect(await browser.request(next.location), [302, 303], `after sign-in (${next.location})`);
  }
  const tokens = await redeem(base, paths, client, codeFrom(next.location, client, request.state), request.verifier);
  return { tokens, browser };
}

/**
 * oidc-provider: the same flow, with the interaction that oidc-provider.mjs completes at once.
 * prompt=consent, because oidc-provider drops offline_access without it (OIDC Core §11).
 */
export async function signInOidcProvider(base, paths, client) {
  const browser = new Browser(base);
  const request = authorizationRequest(paths, client, { prompt: 'consent' });
  let next = expect(await browser.request(request.url), [302, 303], 'authorize');
  let hops = 0;
  while (!next.location.startsWith(client.redirectUri)) {
    if (++hops > 8) {
      throw new Error(`too many redirects, last ${next.location}`);
    }
    next = expect(await browser.request(next.location), [302, 303], `redirect ${next.location}`);
  }
  return { tokens: await redeem(base, paths, client, codeFrom(next.location, client, request.state), request.verifier), browser };
}

/** Redeems the first-administrator setup link printed by our server: returns nothing, throws on failure. */
export async function createAdministrator(base, setupUrl, { email, password }) {
  const browser = new Browser(base);
  const page = expect(await browser.request(setupUrl), [200], 'setup page');
  const token = new URL(setupUrl).searchParams.get('token');
  const done = await browser.request(setupUrl, {
    method: 'POST',
    form: {
      Token: token,
      'Input.Email': email,
      'Input.DisplayName': 'Benchmark administrator',
      'Input.Password': password,
      'Input.ConfirmPassword': password,
      __RequestVerificationToken: antiforgeryToken(page.text),
    },
  });
  expect(done, [303], 'setup form');
}

/**
 * Turns on TOTP for the signed-in browser's user (My account → Security): confirm the password,
 * read the key, activate with the current code. Returns the TOTP generator.
 */
export async function enrolTotp(browser, password) {
  const security = expect(await browser.request('/account/security'), [200], 'security page');
  const started = expect(await browser.request('/account/security?handler=StartTotp', {
    method: 'POST',
    form: { password, __RequestVerificationToken: antiforgeryToken(security.text) },
  }), [200], 'start TOTP');
  const secret = started.text.match(/id="totp-secret">([^<]+)</)?.[1]?.replace(/\s+/g, '');
  if (!secret) {
    throw new Error(`no TOTP key on the page: ${started.text.slice(0, 300)}`);
  }
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  const activated = expect(await browser.request('/account/security?handler=ActivateTotp', {
    method: 'POST',
    form: { code: totp.generate(), __RequestVerificationToken: antiforgeryToken(started.text) },
  }), [200], 'activate TOTP');
  if (!activated.text.includes('Two-factor authentication is on')) {
    throw new Error(`activation refused: ${activated.text.match(/id="security-error"[^>]*>([^<]*)/)?.[1] ?? activated.text.slice(0, 300)}`);
  }
  return totp;
}
