// otpauth, an independent TOTP implementation: the codes it computes for our secret at the
// given times, and what its Key URI parser reads from our otpauth:// URI.
import * as OTPAuth from 'otpauth';
import { run } from './lib/harness.mjs';

await run(async ({ secret, times, uri }) => {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  });
  const codes = times.map((seconds) => totp.generate({ timestamp: seconds * 1000 }));

  const parsed = OTPAuth.URI.parse(uri);
  return {
    codes,
    uri: {
      type: parsed instanceof OTPAuth.TOTP ? 'totp' : 'other',
      issuer: parsed.issuer,
      label: parsed.label,
      secret: parsed.secret.base32,
      algorithm: parsed.algorithm,
      digits: parsed.digits,
      period: parsed.period,
    },
  };
});
