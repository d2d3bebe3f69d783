// The side of the NodeScript protocol (tests/IdentityProvider.Tests/Infrastructure/NodeScript.cs)
// that scripts use. stdout carries only one-line JSON messages; diagnostics go to stderr.
import { createInterface } from 'node:readline';

let answers;

// A console.log left in a script would otherwise break the message stream the test reads.
console.log = console.error;

function send(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

/** Asks the test to do what only it can (sign a user in, register a client) and waits for its answer. */
export async function ask(step, payload = {}) {
  answers ??= createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
  send({ ask: step, payload });
  const { value, done } = await answers.next();
  if (done) {
    throw new Error(`the test closed stdin instead of answering '${step}'`);
  }
  return JSON.parse(value);
}

/**
 * Runs a script's main function with the test's input and reports what it returns. A thrown error
 * fails the test with its stack on stderr; outcomes a test expects (a refused request) should be
 * caught by the script and returned, e.g. as { error: await describeError(err) }.
 */
export async function run(main) {
  try {
    send({ result: await main(JSON.parse(process.env.INTEROP_INPUT ?? '{}')) });
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    // An open stdin reader would keep the process alive after the result.
    await answers?.return?.();
    process.stdin.destroy();
  }
}

/**
 * What a relying party can see of an openid-client error. A 401 with WWW-Authenticate surfaces as
 * WWWAuthenticateChallengeError, whose body is still unread, so its OAuth error is read here too.
 */
export async function describeError(err) {
  const described = {
    name: err.name,
    code: err.code,
    message: err.message,
    status: err.status,
    error: err.error,
    error_description: err.error_description,
  };
  if (err.name === 'WWWAuthenticateChallengeError') {
    described.challenges = err.cause;
    described.body = await err.response?.json().catch(() => undefined);
  }
  return described;
}
