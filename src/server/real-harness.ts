// The scenario harness over real sockets on loopback: an in-process server and real TCP clients.
// Waits poll the condition until it holds or a deadline passes.
import type { ClientOptions, ImClient } from '../protocol/client';
import type { ProtocolName } from '../protocol/messages';
import { makeToken } from '../protocol/token';
import type { Harness } from '../scenario/harness';
import { countFrames, recordingObserver, type FrameRecord } from '../scenario/observer';
import { Ledger } from '../sim/ledger';
import { realScheduler } from './real-scheduler';
import { tcpClient } from './tcp-client';
import { startServer, type RunningServer } from './tcp-server';

export class RealHarness implements Harness {
  readonly ledger = new Ledger();
  readonly frames: FrameRecord[] = [];
  private readonly clients = new Map<string, ImClient>();
  private readonly sched = realScheduler();

  private constructor(readonly protocol: ProtocolName, readonly server: RunningServer, private readonly timeoutMs: number) {}

  /** `redisUrl`: keep mailboxes in that Redis instead of the embedded store. */
  static async start(protocol: ProtocolName, opts: { timeoutMs?: number; pageSize?: number; redisUrl?: string; redisPrefix?: string } = {}): Promise<RealHarness> {
    const server = await startServer({ protocol, port: 0, pageSize: opts.pageSize, redisUrl: opts.redisUrl, redisPrefix: opts.redisPrefix });
    return new RealHarness(protocol, server, opts.timeoutMs ?? 10_000);
  }

  frameCounts(user: string): Map<string, number> {
    return countFrames(this.frames, user);
  }

  async login(user: string, opts: Partial<ClientOptions> = {}): Promise<void> {
    const c: ImClient = tcpClient(
      { user, token: makeToken(user), protocol: this.protocol, ...opts },
      { host: this.server.host, port: this.server.port },
      recordingObserver({
        ledger: this.ledger, user, device: () => c.device, now: () => this.sched.now(), frames: this.frames,
      }),
      this.sched,
    );
    this.clients.set(user, c);
    c.start();
    await this.until(`${user} logged in`, () => c.state === 'online');
  }

  send(from: string, to: string, bodies: string[]): void {
    const c = this.client(from);
    for (const b of bodies) this.ledger.sent(from, to, c.send(to, b));
  }

  async drop(user: string): Promise<void> {
    this.client(user).drop();
    await this.until(`server saw ${user} go`, () => [...this.server.logic.sessions.of(user)].length === 0);
  }

  async reconnect(user: string): Promise<void> {
    const c = this.client(user);
    c.start();
    await this.until(`${user} logged in again`, () => c.state === 'online');
  }

  async settle(what: string, cond: () => boolean = () => true): Promise<void> {
    await this.until(what, () => cond() && this.quiet());
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.stop();
    await this.server.close();
  }

  private client(user: string): ImClient {
    const c = this.clients.get(user);
    if (!c) throw new Error(`no client for user '${user}'`);
    return c;
  }

  private quiet(): boolean {
    for (const c of this.clients.values()) if (c.unanswered > 0) return false;
    return this.server.backlog === 0;
  }

  private async until(what: string, cond: () => boolean): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`real run: ${what} did not happen within ${this.timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}
