/**
 * A real SMTP server on a local port that keeps every message it accepted, parsed.
 * `refuse` lets a test make the server answer RCPT TO with an error code for chosen addresses;
 * `acceptAfterMs` makes it a slow server that answers the end of each message only that long
 * after receiving it, `stepDelayMs` one that is that slow at every step (MAIL FROM, RCPT TO and
 * the end of the data); `port` starts it on a port chosen earlier (a server coming back).
 */
import net, { type AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeTo: string[];
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  port: number;
  /** Messages the server accepted (answered 250 to). */
  received: ReceivedMail[];
  /** Every message whose data reached the server, accepted yet or not: a second copy shows here first. */
  arrived: ReceivedMail[];
  /** address (lower case) → SMTP code to answer RCPT TO with; delete the entry to accept again. */
  refuse: Map<string, number>;
  close(): Promise<void>;
}

export async function startSmtpServer(options: { port?: number; acceptAfterMs?: number; stepDelayMs?: number } = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const arrived: ReceivedMail[] = [];
  const refuse = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number | undefined, then: () => void): void => {
    if (!ms) return then();
    const timer = setTimeout(() => {
      timers.delete(timer);
      then();
    }, ms);
    timers.add(timer);
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Closing does not wait for the clients of a slow test server to give up.
    closeTimeout: 1_000,
    onMailFrom(_address, _session, callback) {
      later(options.stepDelayMs, () => callback());
    },
    onRcptTo(address, _session, callback) {
      const code = refuse.get(address.address.toLowerCase());
      if (code === undefined) return later(options.stepDelayMs, () => callback());
      const err = Object.assign(new Error(`refused ${address.address}`), { responseCode: code });
      return callback(err);
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const mail = { envelopeTo: session.envelope.rcptTo.map((r) => r.address), parsed };
          arrived.push(mail);
          later((options.acceptAfterMs ?? 0) + (options.stepDelayMs ?? 0), () => {
            received.push(mail);
            callback();
          });
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    arrived,
    refuse,
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A local port nothing listens on (for a mail server that is down), free to start one on later. */
export async function unusedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
