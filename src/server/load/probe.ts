// One short conversation with a server before a command relies on it (`imsim load`, `imsim compare
// --real --port`, `imsim client`): is anything listening, does it accept the login, and which delivery
// protocol does it run. Each problem is an error that says what to do, at once -- instead of 30 s of
// "connecting 0/5", a table of false losses, or a client reconnecting forever.
//
// The protocol is asked, not configured: after logging in the probe sends `msg-fin v 0`. A versioned
// server answers +OK (its cursor only moves forward, so 0 changes nothing); a queue server refuses it
// with "... this server runs the queue protocol". This works against every deployment -- `imsim serve`
// and a split one, whose connection processes do not know the protocol (their logic processes do).
import * as net from 'node:net';
import { CMD, PROTOCOLS, type ProtocolName } from '../../protocol/messages';
import { NEED_MORE, Push, ReplyDecoder, ReplyError, SimpleString, encodeCommand, type Reply } from '../../wire';

export type ProbeProblem = 'nothing-listens' | 'cannot-connect' | 'login-refused' | 'wrong-protocol' | 'silent' | 'not-imsim';

export class ProbeError extends Error {
  constructor(readonly problem: ProbeProblem, message: string) {
    super(message);
    this.name = 'ProbeError';
  }
}

export interface ProbeOptions {
  host: string;
  port: number;
  /** Log in as this user with this token (the probe's own user for load runs; the user for `imsim client`). */
  user: string;
  token: string;
  /** The protocol the caller will speak; another one is an error. Absent: only report it. */
  protocol?: ProtocolName;
  /** What to do about a refused login (appended to the error). */
  loginHint?: string;
  /** The whole conversation, at most (default 5 s). */
  timeoutMs?: number;
}

/** The user `imsim load` and `imsim compare --real` probe as (its mailbox stays empty). */
export const PROBE_USER = 'imsim-probe';

/** What to do when a server refuses the default-secret tokens that load runs log in with. */
export const DEFAULT_SECRET_HINT = 'the clients log in with tokens of the default secret, and this server was started with --secret: ' +
  'run against a server without --secret, or leave out --port to start one here';

/** The protocol the server at host:port runs; a ProbeError (what is wrong and what to do) otherwise. */
export function probeServer(o: ProbeOptions): Promise<{ protocol: ProtocolName }> {
  const at = `${o.host}:${o.port}`;
  const timeoutMs = o.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const sock = net.connect(o.port, o.host);
    const decoder = new ReplyDecoder();
    const waiting: ((r: Reply) => void)[] = [];
    let settled = false;
    const done = (err: ProbeError | null, protocol?: ProtocolName) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve({ protocol: protocol! });
    };
    const timer = setTimeout(() => done(new ProbeError('silent',
      `${at} accepted the connection but did not answer within ${(timeoutMs / 1000).toFixed(0)} s: is it an imsim server (npx imsim serve)?`)), timeoutMs);
    const ask = (args: string[], then: (r: Reply) => void) => {
      waiting.push(then);
      sock.write(encodeCommand(args));
    };
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') {
        done(new ProbeError('nothing-listens', `nothing listens on ${at} — start one with \`npx imsim serve --port ${o.port}\``));
      } else {
        done(new ProbeError('cannot-connect', `cannot connect to ${at}: ${err.code ?? err.message}`));
      }
    });
    sock.on('close', () => done(new ProbeError('not-imsim', `${at} closed the connection during the login: is it an imsim server (npx imsim serve)?`)));
    sock.on('data', (chunk) => {
      decoder.push(chunk);
      try {
        for (let r = decoder.next(); r !== NEED_MORE; r = decoder.next()) {
          if (r instanceof Push) continue; // a push at login (queue protocol: the user's waiting messages)
          waiting.shift()?.(r);
        }
      } catch (err) {
        done(new ProbeError('not-imsim', `${at} does not speak RESP (${(err as Error).message}): is it an imsim server?`));
      }
    });
    sock.on('connect', () => {
      ask([CMD.hello, '3', 'AUTH', o.user, o.token], (login) => {
        if (login instanceof ReplyError) {
          if (/^WRONGPASS/.test(login.message)) {
            done(new ProbeError('login-refused', `${at} refused the login of ${o.user} (WRONGPASS)${o.loginHint ? `: ${o.loginHint}` : ''}`));
          } else {
            done(new ProbeError('not-imsim', `${at} refused the login of ${o.user}: ${login.message}`));
          }
          return;
        }
        ask([CMD.msgFin, 'v', '0'], (r) => {
          const runs = r instanceof ReplyError ? /runs the (\w+) protocol/.exec(r.message)?.[1] : undefined;
          const ok = r === 'OK' || (r instanceof SimpleString && r.value === 'OK');
          const protocol: ProtocolName | undefined = ok ? 'versioned'
            : runs && (PROTOCOLS as readonly string[]).includes(runs) ? (runs as ProtocolName) : undefined;
          if (!protocol) {
            const said = r instanceof ReplyError ? r.message : JSON.stringify(r);
            done(new ProbeError('not-imsim', `${at} does not answer as an imsim server (msg-fin v 0 got: ${said})`));
          } else if (o.protocol && protocol !== o.protocol) {
            done(new ProbeError('wrong-protocol', `the server at ${at} runs the ${protocol} protocol: pass --protocol ${protocol}`));
          } else {
            done(null, protocol);
          }
        });
      });
    });
  });
}
