// Scripted HTTP sign-in benchmark for our server (hosted pages), run by run.sh after the
// refresh_token case:
//
//   node signin.mjs --url http://127.0.0.1:5001 --pid PID --pg-pid PID --client-id C --client-secret S \
//     --redirect-uri U --scope "openid offline_access api.read" --username U --password P \
//     [--concurrency 2,4,8] [--duration 10] [--warmup 3] [--totp-samples 2] [--hash-json '{"meanCpuUs":...}'] [--out signin.json]
//
// Prints a Markdown section on stdout. What it measures, in order:
//  1. password-only sign-ins, closed loop at each concurrency: each one a new browser doing
//     GET authorize → GET login page → POST password → GET resume → POST token (code + PKCE);
//  2. failed password attempts for an unknown user (one POST each, which verifies one decoy
//     hash): the server's price of one hash plus the login page;
//  3. sequential single sign-ins at concurrency 1, then TOTP enrolment of the same user and
//     full password+TOTP sign-ins (one per 30 s step: each step is accepted once per user,
//     and there is only one user, so a TOTP sign-in loop cannot be run).
// The user must not have TOTP yet; afterwards it has, so run this last.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Browser, antiforgeryToken, discover, enrolTotp, observer, signInOurs } from './flows.mjs';
import { CLOCK_TICKS, clusterTicks, processTicks } from './proc.mjs';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    pid: { type: 'string' },
    'pg-pid': { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string' },
    scope: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    concurrency: { type: 'string', default: '2,4,8' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    'totp-samples': { type: 'string', default: '2' },
    'hash-json': { type: 'string' },
    out: { type: 'string' },
  },
});
const base = values.url;
const pid = Number(values.pid);
const pgPid = Number(values['pg-pid']);
const client = { clientId: values['client-id'], clientSecret: values['client-secret'], redirectUri: values['redirect-uri'], scope: values.scope };
const credentials = { username: values.username, password: values.password };
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const hash = values['hash-json'] ? JSON.parse(values['hash-json']) : null;
const paths = await discover(base);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line) => console.error(`signin.mjs: ${line}`);

/**
 * CPU time per live thread of a process in ns (schedstat), for short single samples. A thread
 * that ends takes its time with it, so deltas are taken per thread (cpuDeltaNs): the time a
 * thread spent before ending within the sample is lost (a slight undercount), never negative.
 */
function threadCpuNs(processId) {
  const perThread = new Map();
  for (const tid of readdirSync(`/proc/${processId}/task`)) {
    try {
      perThread.set(tid, Number(readFileSync(`/proc/${processId}/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // The thread ended.
    }
  }
  return perThread;
}

function cpuDeltaNs(before, after) {
  let ns = 0;
  for (const [tid, value] of after) {
    ns += value - (before.get(tid) ?? 0);
  }
  return ns;
}

/** Runs `body` in `concurrency` loops for `seconds`, measuring the server's and PostgreSQL's CPU. */
async function closedLoop(concurrency, seconds, body) {
  const latencies = [];
  const failures = new Map();
  let attempts = 0;
  const serverBefore = processTicks(pid);
  const pgBefore = clusterTicks(pgPid);
  const started = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline) {
      const t0 = process.hrtime.bigint();
      attempts++;
      try {
        await body();
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (error) {
        // Our pages answer a refused sign-in with 200 and the generic message.
        const key = String(error.message).slice(0, 80);
        failures.set(key, (failures.get(key) ?? 0) + 1);
      }
    }
  }));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const serverUs = ((processTicks(pid) - serverBefore) * 1e6) / CLOCK_TICKS;
  const pgUs = ((clusterTicks(pgPid) - pgBefore) * 1e6) / CLOCK_TICKS;
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : NaN);
  return {
    concurrency,
    seconds: elapsed,
    attempts,
    succeeded: latencies.length,
    failed: attempts - latencies.length,
    failures: Object.fromEntries(failures),
    perSecond: latencies.length / elapsed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    serverCpuUsPerSuccess: serverUs / latencies.length,
    serverCpuUsPerAttempt: serverUs / attempts,
    pgCpuUsPerSuccess: pgUs / latencies.length,
    serverCores: serverUs / 1e6 / elapsed,
  };
}

const signIn = () => signInOurs(base, paths, client, credentials);
const results = { hash, idle: null, signIns: [], unknownUser: null, sequential: null, totp: [] };

// 0. The server's own CPU with no requests (background services: outbox dispatcher, sweepers,
// health probes, timers). At a few sign-ins per second it is not negligible per sign-in.
{
  await sleep(2000);
  const before = processTicks(pid);
  const t0 = process.hrtime.bigint();
  await sleep(5000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  results.idle = { seconds, serverCpuUsPerSecond: ((processTicks(pid) - before) * 1e6) / CLOCK_TICKS / seconds };
  log(`idle server: ${(results.idle.serverCpuUsPerSecond / 1000).toFixed(1)} ms CPU per second`);
}

// 1. Password-only sign-ins.
for (const c of values.concurrency.split(',').map(Number)) {
  await closedLoop(c, warmup, signIn);
  const r = await closedLoop(c, duration, signIn);
  results.signIns.push(r);
  log(`c=${c} ${r.perSecond.toFixed(2)} sign-ins/s, p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms, `
    + `${(r.serverCpuUsPerSuccess / 1000).toFixed(1)} ms CPU/sign-in, failed ${r.failed} ${JSON.stringify(r.failures)}`);
  await sleep(500);
}

// 2. Failed attempts for an unknown user: one POST of the login form, one decoy hash each.
{
  const c = 2;
  const browsers = [];
  for (let i = 0; i < c; i++) {
    const browser = new Browser(base);
    const toLogin = await browser.request(`${paths.authorize}?${new URLSearchParams({
      response_type: 'code', client_id: client.clientId, redirect_uri: client.redirectUri, scope: client.scope,
      state: 's', nonce: 'n', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    })}`);
    const page = await browser.request(toLogin.location);
    browsers.push({ browser, location: toLogin.location, token: antiforgeryToken(page.text), request: new URL(toLogin.location, base).searchParams.get('request') });
  }
  let next = 0;
  const attempt = async () => {
    const b = browsers[next++ % c];
    const response = await b.browser.request(b.location, {
      method: 'POST',
      form: { request: b.request, Username: `nobody-${next}@example.com`, Password: 'not the password', __RequestVerificationToken: b.token },
    });
    if (response.status !== 200 || !response.text.includes('Login failed')) {
      throw new Error(`unknown user: status ${response.status}`);
    }
  };
  await closedLoop(c, warmup, attempt);
  results.unknownUser = await closedLoop(c, duration, attempt);
  log(`unknown user c=${c}: ${(results.unknownUser.serverCpuUsPerAttempt / 1000).toFixed(1)} ms CPU/attempt, failed ${results.unknownUser.failed}`);
}

// 3. Sequential samples: password-only, then enrol TOTP and sign in with password + code.
async function single(run) {
  const steps = {};
  observer.wrap = async (label, exchange) => {
    const before = threadCpuNs(pid);
    const result = await exchange();
    steps[label] = (steps[label] ?? 0) + cpuDeltaNs(before, threadCpuNs(pid)) / 1000;
    return result;
  };
  const cpuBefore = threadCpuNs(pid);
  const ticksBefore = processTicks(pid);
  const pgBefore = clusterTicks(pgPid);
  const t0 = process.hrtime.bigint();
  await run();
  observer.wrap = null;
  return {
    steps,
    ms: Number(process.hrtime.bigint() - t0) / 1e6,
    serverCpuUs: cpuDeltaNs(cpuBefore, threadCpuNs(pid)) / 1000,
    serverCpuUsTicks: ((processTicks(pid) - ticksBefore) * 1e6) / CLOCK_TICKS,
    pgCpuUs: ((clusterTicks(pgPid) - pgBefore) * 1e6) / CLOCK_TICKS,
  };
}
const sequential = [];
for (let i = 0; i < 5; i++) {
  sequential.push(await single(signIn));
}
results.sequential = sequential;
log(`sequential password-only: ${sequential.map((s) => (s.serverCpuUs / 1000).toFixed(1)).join(', ')} ms CPU`);

const { browser } = await signIn();
const totp = await enrolTotp(browser, credentials.password);
log('TOTP enrolled');
// The activation used the current step; the next one is inside the accepted window (Totp:Window 1).
for (let i = 0; i < Number(values['totp-samples']); i++) {
  if (i > 0) {
    // Wait for a new step, so "now + 30 s" is a step not used yet.
    await sleep(30_000 - (Date.now() % 30_000) + 500);
  }
  const sample = await single(() => signInOurs(base, paths, client, { ...credentials, totpCode: () => totp.generate({ timestamp: Date.now() + 30_000 }) }));
  results.totp.push(sample);
  log(`password+TOTP sign-in: ${sample.ms.toFixed(0)} ms, ${(sample.serverCpuUs / 1000).toFixed(1)} ms server CPU`);
}

if (values.out) {
  writeFileSync(values.out, JSON.stringify(results, null, 2));
}

// ---- Markdown ----
const ms = (us) => (Number.isFinite(us) ? (us / 1000).toFixed(1) : 'n/a');
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const hashUs = hash?.meanCpuUs ?? NaN;
const out = [];
out.push('### Scripted sign-in (ours only)');
out.push('');
out.push(`One password hash (PBKDF2-HMAC-SHA512, ${hash?.iterations ?? '?'} iterations, HashCost console, mean of ${hash?.count ?? '?'}): `
  + `**${ms(hashUs)} ms CPU** (median ${ms(hash?.medianCpuUs)}, min ${ms(hash?.minCpuUs)}).`);
out.push(`Server CPU per failed attempt for an unknown user (one decoy hash + login page + audit row), c=2: `
  + `**${ms(results.unknownUser.serverCpuUsPerAttempt)} ms**, PostgreSQL ${ms(results.unknownUser.pgCpuUsPerSuccess)} ms `
  + `(${results.unknownUser.perSecond.toFixed(1)} attempts/s).`);
out.push(`Idle server (no requests, 5 s): ${ms(results.idle.serverCpuUsPerSecond)} ms CPU per second; the "idle share" column is that rate `
  + 'times the interval, divided by the sign-ins in it (already included in the CPU per sign-in).');
out.push('');
out.push('Password-only sign-ins (GET authorize → GET login → POST password → GET resume → POST token), one user:');
out.push('');
out.push('| conc | sign-ins/s | p50 ms | p99 ms | failed / attempts | server CPU ms/sign-in | server CPU ms/attempt | PG CPU ms/sign-in | server cores | idle share ms | ratio to one hash (target ≤ 1.15x) |');
out.push('|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|');
for (const r of results.signIns) {
  const ratio = r.serverCpuUsPerSuccess / hashUs;
  out.push(`| ${r.concurrency} | ${r.perSecond.toFixed(2)} | ${r.p50Ms.toFixed(0)} | ${r.p99Ms.toFixed(0)} | ${r.failed} / ${r.attempts} | `
    + `${ms(r.serverCpuUsPerSuccess)} | ${ms(r.serverCpuUsPerAttempt)} | ${ms(r.pgCpuUsPerSuccess)} | ${r.serverCores.toFixed(2)} | `
    + `${ms((results.idle.serverCpuUsPerSecond * r.seconds) / r.succeeded)} | ${Number.isFinite(ratio) ? ratio.toFixed(2) + 'x' : 'n/a'} ${Number.isFinite(ratio) ? (ratio <= 1.15 ? '(met)' : '(**missed**)') : ''} |`);
}
for (const r of results.signIns.filter((x) => x.failed > 0)) {
  out.push('');
  out.push(`Failures at c=${r.concurrency}: ${Object.entries(r.failures).map(([k, v]) => `${v}× ${k}`).join('; ')}`);
}
out.push('');
const seqCpu = mean(results.sequential.map((s) => s.serverCpuUs));
const totpCpu = mean(results.totp.map((s) => s.serverCpuUs));
out.push('Single sign-ins at concurrency 1 (server CPU from per-thread schedstat, ns resolution):');
out.push('');
out.push('| flow | samples | wall ms | server CPU ms | PG CPU ms (10 ms ticks) | ratio to one hash |');
out.push('|---|---:|---|---|---|---:|');
const row = (name, samples, cpu) => out.push(`| ${name} | ${samples.length} | ${samples.map((s) => s.ms.toFixed(0)).join(', ')} | `
  + `${samples.map((s) => ms(s.serverCpuUs)).join(', ')} | ${samples.map((s) => ms(s.pgCpuUs)).join(', ')} | ${(cpu / hashUs).toFixed(2)}x |`);
row('password only', results.sequential, seqCpu);
row('password + TOTP', results.totp, totpCpu);
out.push('');
out.push('Where the server CPU of those single sign-ins goes, per HTTP exchange (ms; password only: mean of the samples; '
  + 'password + TOTP: each sample, the first one being the first TOTP sign-in of the process, so it carries first-call JIT):');
out.push('');
out.push(`| exchange | password only | ${results.totp.map((_, i) => `password + TOTP #${i + 1}`).join(' | ')} |`);
out.push(`|---|---:|${results.totp.map(() => '---:|').join('')}`);
const labels = [...new Set([...results.sequential, ...results.totp].flatMap((s) => Object.keys(s.steps)))];
const stepMean = (samples, label) => mean(samples.map((s) => s.steps[label] ?? 0));
for (const label of labels) {
  out.push(`| ${label} | ${ms(stepMean(results.sequential, label))} | ${results.totp.map((s) => ms(s.steps[label] ?? 0)).join(' | ')} |`);
}
console.log(out.join('\n'));
