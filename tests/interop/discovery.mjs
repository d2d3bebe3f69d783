// openid-client's discovery() against the issuer: what a relying party reads from our metadata.
import * as client from 'openid-client';
import { run } from './lib/harness.mjs';

await run(async ({ issuer, clientId }) => {
  const config = await client.discovery(new URL(issuer), clientId, undefined, undefined, {
    // The test server is plain http on loopback; production issuers are https.
    execute: [client.allowInsecureRequests],
  });
  const metadata = config.serverMetadata();
  return { metadata, supportsPKCE: metadata.supportsPKCE() };
});
