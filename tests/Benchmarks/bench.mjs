// The load driver. run.sh starts the servers and calls:
//
//   node bench.mjs run --out results.json --alg ES256 [--metadata] \
//     --target ours,http://127.0.0.1:5001,PID --target oidc-provider,http://127.0.0.1:5002,PID \
//     --client-id bench --client-secret S --scope api.read [--connections 10,50] [--duration 10] [--warmup 2] [--max-warmup 40]
//     [--no-client-credentials] [--refresh --rt-client-id C --rt-client-secret S --rt-redirect-uri U
//      --username U --password P] [--pg-pid PID]
//   node bench.mjs report results.json      # Markdown tables on stdout
//
// `run` appends its measurements to the JSON file, so one report can hold phases that needed
// different server configurations (the access token algorithm is fixed at server start).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { clientCredentialsCase, metadataCases, refreshTokenCase } from './cases.mjs';
import { discover, signInOidcProvider, signInOurs } from './flows.mjs';
import { CLOCK_TICKS, clusterTicks, processTicks } from './proc.mjs';

const TARGETS = {
  tokenCpuUs: { ES256: 150, RS256: 400 },
  metadataCpuUs: 40,
  throughputRatio: 2,
  p99AtConnections: 50,
};

async function run(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      target: { type: 'string', multiple: true },
      alg: { type: 'string' },
      metadata: { type: 'boolean', default: false },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      scope: { type: 'string' },
      connections: { type: 'string', default: '10,50' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      'max-warmup': { type: 'string', default: '40' },
      'no-client-credentials': { type: 'boolean', default: false },
      refresh: { type: 'boolean', default: false },
      'rt-client-id': { type: 'string' },
      'rt-client-secret': { type: 'string' },
      'rt-redirect-uri': { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      // PostgreSQL's postmaster: its CPU and its children's is reported per request.
      'pg-pid': { type: 'string' },
    },
  });
  pgPid = values['pg-pid'] ? Number(values['pg-pid']) : null;
  const targets = values.target.map((spec) => {
    const [name, url, pid] = spec.split(',');
    return { name, url, pid: Number(pid) };
  });
  const connections = values.connections.split(',').map(Number);
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);
  const maxWarmup = Number(values['max-warmup']);
  const cases = [
    ...(values.metadata ? metadataCases() : []),
    ...(values['no-client-credentials'] ? [] : [clientCredentialsCase({
      clientId: values['client-id'],
      clientSecret: values['client-secret'],
      scope: values.scope,
      alg: values.alg,
    })]),
  ];
  if (values.refresh) {
    const client = {
      clientId: values['rt-client-id'],
      clientSecret: values['rt-client-secret'],
      redirectUri: values['rt-redirect-uri'],
      scope: `openid offline_access ${values.scope}`,
    };
    const flowPaths = new Map();
    // Ours: the scripted hosted sign-in (password hash and all); oidc-provider: its interaction,
    // completed at once by oidc-provider.mjs. Two at a time: more sign-ins of one user in
    // parallel than Lockout:MaxFailedPasswords are refused by our attempt gate (see signin.mjs).
    const mint = async (server) => {
      if (!flowPaths.has(server.name)) {
        flowPaths.set(server.name, await discover(server.url));
      }
      const paths = flowPaths.get(server.name);
      const { tokens } = server.name === 'ours'
        ? await signInOurs(server.url, paths, client, { username: values.username, password: values.password })
        : await signInOidcProvider(server.url, paths, client);
      if (!tokens.refresh_token) {
        throw new Error(`${server.name}: the code exchange returned no refresh_token`);
      }
      return tokens.refresh_token;
    };
    cases.push(refreshTokenCase({ clientId: client.clientId, clientSecret: client.clientSecret, scope: values.scope, alg: values.alg, mint }));
  }

  for (const target of targets) {
    target.paths = await discoverPaths(target.url);
  }

  // Every case is proven against every server before any load: a table of 401s is worthless.
  for (const testCase of cases) {
    for (const target of targets) {
      await checkSample(target, testCase);
    }
  }

  const file = values.out;
  const saved = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { machine: describeMachine(), results: [] };
  // Servers alternate within each case and concurrency, so a neighbour's build that starts
  // half-way through the run does not land entirely on one server's numbers.
  for (const testCase of cases) {
    for (const c of connections) {
      // The first server sets the warm-up length for the others, so no one gets less.
      let warmedFor = warmup;
      for (const target of targets) {
        const warm = await warmUp(target, testCase, c, warmedFor, maxWarmup);
        warmedFor = Math.max(warmedFor, warm.seconds);
        const measured = { ...(await measure(target, testCase, c, duration)), warmupSeconds: warm.seconds, warmupSettled: warm.settled };
        saved.results.push(measured);
        writeFileSync(file, JSON.stringify(saved, null, 2));
        console.error(`${target.name.padEnd(14)} ${testCase.name.padEnd(18)} ${(testCase.alg ?? '').padEnd(5)} c=${String(c).padEnd(3)} `
          + `${measured.rps.toFixed(0).padStart(6)} req/s  p50 ${measured.p50Ms.toFixed(2)} ms  p99 ${measured.p99Ms.toFixed(2)} ms  `
          + `${measured.cpuUsPerRequest.toFixed(0)} µs CPU/req  PG ${fmt(measured.pgCpuUsPerRequest, 0)} µs/req  errors ${measured.errors} non-2xx ${measured.non2xx}`);
        await sleep(500);
      }
    }
  }
}

async function discoverPaths(baseUrl) {
  const response = await fetch(new URL('/.well-known/openid-configuration', baseUrl));
  if (response.status !== 200) {
    throw new Error(`${baseUrl}: discovery answered ${response.status}`);
  }
  const document = await response.json();
  // Only the paths: endpoint URLs carry the configured issuer's host, not the loopback address we load.
  return {
    discovery: '/.well-known/openid-configuration',
    jwks: new URL(document.jwks_uri).pathname,
    token: new URL(document.token_endpoint).pathname,
  };
}

async function checkSample(target, testCase) {
  await testCase.prepare?.(target, 1);
  const response = await fetch(new URL(target.paths[testCase.endpoint], target.url), {
    method: testCase.method,
    headers: testCase.headers,
    body: testCase.nextBody ? testCase.nextBody(target) : testCase.body,
  });
  const body = await response.text();
  testCase.onResponse?.(target, response.status, body);
  const problem = testCase.check(response.status, response.headers, body);
  if (problem) {
    throw new Error(`${target.name} ${testCase.name}: sample response rejected: ${problem}`);
  }
  console.error(`${target.name} ${testCase.name}${testCase.alg ? ' ' + testCase.alg : ''}: sample response ${response.status} ok (${body.length} bytes)`);
}

function autocannonOptions(target, testCase, connections, duration) {
  const request = {
    method: testCase.method,
    path: target.paths[testCase.endpoint],
    headers: testCase.headers,
    body: testCase.body,
  };
  if (testCase.nextBody) {
    request.setupRequest = (built) => ({ ...built, body: testCase.nextBody(target) });
  }
  if (testCase.onResponse) {
    request.onResponse = (status, body) => testCase.onResponse(target, status, body);
  }
  return { url: target.url, connections, duration, requests: [request] };
}

// Warm-up: load in one-second steps for at least minSeconds, then until the runtime's
// background JIT has stopped working (at most maxSeconds). On two busy cores .NET's tier-1
// recompilation of the request path took over ten seconds of load; measured during that time,
// CPU per request counts the compiler, not the server. A V8 process shows no such thread, so
// it gets the fixed minimum (which is never less than what the first server needed).
async function warmUp(target, testCase, connections, minSeconds, maxSeconds) {
  let seconds = 0;
  for (;;) {
    await testCase.prepare?.(target, connections);
    const before = jitThreadTicks(target.pid);
    await autocannon(autocannonOptions(target, testCase, connections, 1));
    seconds += 1;
    const busy = tickDelta(before, jitThreadTicks(target.pid));
    const settled = busy <= 1;
    if (seconds >= minSeconds && (settled || seconds >= maxSeconds)) {
      return { seconds, settled };
    }
  }
}

async function measure(target, testCase, connections, seconds) {
  // autocannon's own latency histogram has a 1 ms floor; these responses take less, so keep
  // the exact per-response times instead.
  // Before the counters are read: whatever a case prepares is not part of the measurement.
  await testCase.prepare?.(target, connections);
  const latencies = [];
  const instance = autocannon(autocannonOptions(target, testCase, connections, seconds));
  instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));

  const jitBefore = jitThreadTicks(target.pid);
  const serverBefore = processTicks(target.pid);
  const pgBefore = pgPid ? clusterTicks(pgPid) : null;
  const machineBefore = machineTicks();
  const driverBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await instance;
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  const serverTicks = processTicks(target.pid) - serverBefore;
  const pgTicks = pgPid ? clusterTicks(pgPid) - pgBefore : null;
  const jitTicks = tickDelta(jitBefore, jitThreadTicks(target.pid));
  const machine = machineTicks();
  const driver = process.cpuUsage(driverBefore);

  const completed = result.requests.total;
  const serverCpuUs = (serverTicks * 1e6) / CLOCK_TICKS;
  const driverCpuUs = driver.user + driver.system;
  const machineBusyUs = ((machine.busy - machineBefore.busy) * 1e6) / CLOCK_TICKS;
  const sorted = Float64Array.from(latencies).sort();
  return {
    server: target.name,
    case: testCase.name,
    kind: testCase.kind,
    alg: testCase.alg ?? null,
    connections,
    seconds: elapsedS,
    completed,
    rps: completed / elapsedS,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    serverCpuUs,
    // Part of serverCpuUs spent by the background JIT; near zero once warm-up has settled.
    jitCpuUs: (jitTicks * 1e6) / CLOCK_TICKS,
    cpuUsPerRequest: completed > 0 ? serverCpuUs / completed : NaN,
    // PostgreSQL (postmaster and backends); null when not measured. Counted in otherCores too.
    pgCpuUsPerRequest: pgTicks === null || completed === 0 ? null : (pgTicks * 1e6) / CLOCK_TICKS / completed,
    serverCores: serverCpuUs / 1e6 / elapsedS,
    driverCores: driverCpuUs / 1e6 / elapsedS,
    // Everything else on the machine (PostgreSQL, a neighbour's build): a noise indicator.
    otherCores: Math.max(0, machineBusyUs - serverCpuUs - driverCpuUs) / 1e6 / elapsedS,
  };
}

let pgPid = null;


// .NET names the thread that recompiles hot methods at tier 1 ".NET Tiered Compilation Worker"
// (comm keeps 15 bytes). It comes and goes, so ticks are kept per thread id.
function jitThreadTicks(pid) {
  const ticks = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).startsWith('.NET Tiered')) {
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks.set(tid, Number(fields[11]) + Number(fields[12]));
      }
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return ticks;
}

function tickDelta(before, after) {
  let delta = 0;
  for (const [tid, ticks] of after) {
    delta += ticks - (before.get(tid) ?? 0);
  }
  return delta;
}

// proc(5) /proc/stat: user nice system idle iowait irq softirq steal (guest time is already in user).
function machineTicks() {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: user + nice + system + irq + softirq + steal, idle: idle + iowait };
}

function percentile(sorted, p) {
  if (sorted.length === 0) {
    return NaN;
  }
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function describeMachine() {
  return {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    loadAverageAtStart: loadavg().map((v) => v.toFixed(2)).join(' '),
    node: process.version,
    clockTicks: CLOCK_TICKS,
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- report ----

function report({ machine, results }) {
  const lines = [];
  lines.push(`Machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, load average at start ${machine.loadAverageAtStart}, ${machine.date}`);
  lines.push('');
  lines.push('| server | case | alg | conns | req/s | p50 ms | p99 ms | errors / non-2xx | server CPU µs/req | PG CPU µs/req | server cores | JIT ms | driver cores | other cores | warm-up s |');
  lines.push('|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    lines.push(`| ${r.server} | ${r.case} | ${r.alg ?? '-'} | ${r.connections} | ${fmt(r.rps, 0)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | `
      + `${r.errors} / ${r.non2xx} | ${fmt(r.cpuUsPerRequest, 0)} | ${r.pgCpuUsPerRequest == null ? '-' : fmt(r.pgCpuUsPerRequest, 0)} | ${fmt(r.serverCores, 2)} | ${r.server === 'ours' ? fmt(r.jitCpuUs / 1000, 0) : '-'} | `
      + `${fmt(r.driverCores, 2)} | ${fmt(r.otherCores, 2)} | ${r.warmupSeconds}${r.warmupSettled ? '' : ' (JIT busy)'} |`);
  }

  const pairs = pairUp(results);
  if (pairs.length > 0) {
    lines.push('');
    lines.push('Ours vs oidc-provider (ratio > 1 means ours is higher):');
    lines.push('');
    lines.push('| case | alg | conns | throughput ratio | CPU/req ratio | p99 ours ms | p99 oidc-provider ms |');
    lines.push('|---|---|---:|---:|---:|---:|---:|');
    for (const { ours, theirs } of pairs) {
      lines.push(`| ${ours.case} | ${ours.alg ?? '-'} | ${ours.connections} | ${fmt(ours.rps / theirs.rps, 2)}x | `
        + `${fmt(ours.cpuUsPerRequest / theirs.cpuUsPerRequest, 2)}x | ${fmt(ours.p99Ms, 2)} | ${fmt(theirs.p99Ms, 2)} |`);
    }
  }

  lines.push('');
  lines.push('Targets (ours):');
  lines.push('');
  lines.push('| target | case | alg | conns | measured | verdict |');
  lines.push('|---|---|---|---:|---:|---|');
  for (const r of results.filter((x) => x.server === 'ours' && x.kind !== 'refresh')) {
    const limit = r.kind === 'token' ? TARGETS.tokenCpuUs[r.alg] : TARGETS.metadataCpuUs;
    lines.push(`| CPU ≤ ${limit} µs/req | ${r.case} | ${r.alg ?? '-'} | ${r.connections} | ${fmt(r.cpuUsPerRequest, 0)} µs | ${verdict(r.cpuUsPerRequest <= limit)} |`);
  }
  for (const { ours, theirs } of pairs) {
    const ratio = ours.rps / theirs.rps;
    lines.push(`| ≥ ${TARGETS.throughputRatio}x oidc-provider throughput | ${ours.case} | ${ours.alg ?? '-'} | ${ours.connections} | ${fmt(ratio, 2)}x | ${verdict(ratio >= TARGETS.throughputRatio)} |`);
  }
  for (const { ours, theirs } of pairs.filter((p) => p.ours.connections === TARGETS.p99AtConnections)) {
    lines.push(`| p99 ≤ oidc-provider's | ${ours.case} | ${ours.alg ?? '-'} | ${ours.connections} | ${fmt(ours.p99Ms, 2)} vs ${fmt(theirs.p99Ms, 2)} ms | ${verdict(ours.p99Ms <= theirs.p99Ms)} |`);
  }
  return lines.join('\n');
}

function pairUp(results) {
  const key = (r) => `${r.case}|${r.alg}|${r.connections}`;
  const theirs = new Map(results.filter((r) => r.server !== 'ours').map((r) => [key(r), r]));
  return results.filter((r) => r.server === 'ours' && theirs.has(key(r))).map((ours) => ({ ours, theirs: theirs.get(key(ours)) }));
}

function fmt(value, digits) {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

function verdict(met) {
  return met ? 'met' : '**missed**';
}

// Last, so every module-level constant above is initialised before it runs.
const [command, ...rest] = process.argv.slice(2);
if (command === 'run') {
  await run(rest);
} else if (command === 'report') {
  console.log(report(JSON.parse(readFileSync(rest[0], 'utf8'))));
} else {
  console.error('usage: node bench.mjs run ... | node bench.mjs report FILE');
  process.exit(2);
}
