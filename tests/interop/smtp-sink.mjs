// A real SMTP server for the email tests (tests/IdentityProvider.Tests/Email/SmtpSink.cs): accepts
// every message on a loopback port and reports it. Unlike the request/response scripts it runs
// until the test closes its stdin. stdout carries one JSON object per line:
//   {"listening": port}                 once the server accepts connections
//   {"message": {envelopeFrom, envelopeTo, from, to, subject, text, html, messageId, user}}
// Input (INTEROP_INPUT): {"port": 0} for any free port, or the port to listen on.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

console.log = console.error;
const input = JSON.parse(process.env.INTEROP_INPUT ?? '{}');

function send(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

const server = new SMTPServer({
  // The client under test uses plain SMTP on loopback, with or without credentials.
  secure: false,
  authOptional: true,
  allowInsecureAuth: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onAuth(auth, _session, callback) {
    callback(null, { user: auth.username });
  },
  onData(stream, session, callback) {
    simpleParser(stream)
      .then(mail => {
        send({
          message: {
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            envelopeTo: session.envelope.rcptTo.map(r => r.address),
            from: mail.from?.text ?? null,
            to: mail.to?.text ?? null,
            subject: mail.subject ?? null,
            text: mail.text ?? null,
            html: typeof mail.html === 'string' ? mail.html : null,
            messageId: mail.messageId ?? null,
            user: session.user ?? null,
          },
        });
        callback();
      })
      .catch(err => callback(err));
  },
});

server.on('error', err => console.error(err));
server.listen(input.port ?? 0, '127.0.0.1', () => send({ listening: server.server.address().port }));

// The test ends the sink by closing stdin; the port is free once this process has exited.
process.stdin.resume();
process.stdin.on('end', () => server.close(() => process.exit(0)));
