// What the benchmark sends. A case is a plain object:
//
//   name      row label in the table
//   kind      'metadata', 'token' or 'refresh': decides which CPU target applies (none for 'refresh')
//   endpoint  'discovery' | 'jwks' | 'token': resolved per server from its discovery document,
//             because the two servers put their endpoints at different paths
//   method, headers, body
//   nextBody  optional (server) => string, called for every request instead of sending `body`;
//             for inputs that cannot be replayed (a single-use refresh token, a one-time assertion)
//   onResponse optional (server, status, bodyText) => void, sees every response; lets a case
//             feed what a response returns (a rotated refresh token) into a later request
//   prepare   optional async (server, connections) => void, run before the sample request and
//             before every autocannon run (each warm-up step and the measurement), outside the
//             measured interval; e.g. to top up a pool of single-use tokens, because a run that
//             stops abandons the requests in flight and the tokens they carried
//   check     (status, headers, bodyText) => string | null: checks the sample response taken
//             before load; a message stops the run, so a benchmark never measures error replies
//   alg       the access token algorithm the case expects, shown in the table

export function metadataCases() {
  return [
    {
      name: 'discovery',
      kind: 'metadata',
      endpoint: 'discovery',
      method: 'GET',
      headers: { accept: 'application/json' },
      check: (status, _headers, body) =>
        status !== 200 ? `status ${status}` : JSON.parse(body).issuer ? null : 'no issuer in the document',
    },
    {
      name: 'jwks',
      kind: 'metadata',
      endpoint: 'jwks',
      method: 'GET',
      headers: { accept: 'application/json' },
      check: (status, _headers, body) =>
        status !== 200 ? `status ${status}` : JSON.parse(body).keys?.length > 0 ? null : 'no keys in the set',
    },
  ];
}

export function clientCredentialsCase({ clientId, clientSecret, scope, alg }) {
  // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
  return {
    name: 'client_credentials',
    kind: 'token',
    endpoint: 'token',
    method: 'POST',
    alg,
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
    check: (status, _headers, body) => checkAccessTokenResponse(status, body, { alg, scope }),
  };
}

/**
 * refresh_token: every token is single use (both servers rotate on every use, and reuse of a
 * rotated token revokes its family), so each server has a pool. nextBody takes a token out,
 * onResponse puts the rotated one back, and prepare tops the pool up to twice the connections
 * by minting new tokens through `mint(server)` (a full authorization code flow), outside the
 * measured interval: a stopped autocannon run abandons the tokens it had in flight. A token
 * taken out is never put back unless the server answered with its successor.
 */
export function refreshTokenCase({ clientId, clientSecret, scope, alg, mint, mintParallelism = 2 }) {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
  const pools = new Map();
  const pool = (server) => {
    if (!pools.has(server.name)) {
      pools.set(server.name, []);
    }
    return pools.get(server.name);
  };
  return {
    name: 'refresh_token',
    kind: 'refresh',
    endpoint: 'token',
    method: 'POST',
    alg,
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    nextBody: (server) => {
      const token = pool(server).shift();
      // An empty pool sends a token that cannot exist: it shows up as a 400 in the errors column.
      return new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token ?? 'pool-ran-dry' }).toString();
    },
    onResponse: (server, status, body) => {
      if (status === 200) {
        const rotated = JSON.parse(body).refresh_token;
        if (rotated) {
          pool(server).push(rotated);
        }
      }
    },
    prepare: async (server, connections) => {
      const tokens = pool(server);
      const wanted = 2 * connections;
      while (tokens.length < wanted) {
        const batch = Math.min(mintParallelism, wanted - tokens.length);
        const minted = await Promise.all(Array.from({ length: batch }, () => mint(server)));
        tokens.push(...minted);
      }
    },
    check: (status, _headers, body) => {
      const problem = checkAccessTokenResponse(status, body, { alg, scope });
      if (problem) {
        return problem;
      }
      return JSON.parse(body).refresh_token ? null : 'no rotated refresh_token in the response';
    },
  };
}

/** A 200 with a Bearer RFC 9068 JWT signed with the expected algorithm and carrying the scope. */
export function checkAccessTokenResponse(status, body, { alg, scope }) {
  if (status !== 200) {
    return `status ${status}: ${body.slice(0, 200)}`;
  }

  const json = JSON.parse(body);
  if (json.token_type?.toLowerCase() !== 'bearer') {
    return `token_type ${json.token_type}`;
  }

  const parts = String(json.access_token ?? '').split('.');
  if (parts.length !== 3) {
    return 'access_token is not a JWS';
  }

  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
  if (header.alg !== alg) {
    return `signed with ${header.alg}, expected ${alg}`;
  }
  if (header.typ?.toLowerCase() !== 'at+jwt') {
    return `typ ${header.typ}, expected at+jwt`;
  }
  if (!String(claims.scope ?? '').split(' ').includes(scope)) {
    return `scope claim "${claims.scope}" lacks ${scope}`;
  }
  return null;
}
