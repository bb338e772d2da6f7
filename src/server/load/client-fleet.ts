// Real ImClients over TCP, each logged in on a port of its own choosing, recording into one
// delivery ledger: for tests and benchmarks of deployments with several connection processes.
import type { ClientOptions, ImClient } from '../../protocol/client';
import type { ProtocolName } from '../../protocol/messages';
import { makeToken } from '../../protocol/token';
import { recordingObserver } from '../../scenario/observer';
import { Ledger } from '../../sim/ledger';
import { newIncarnation } from '../incarnation';
import { realScheduler } from '../real-scheduler';
import { tcpClient } from '../tcp-client';

export class ClientFleet {
  readonly ledger = new Ledger();
  readonly clients = new Map<string, ImClient>();
  private readonly sched = realScheduler();

  constructor(readonly protocol: ProtocolName) {}

  /** Starts a client for `user` on 127.0.0.1:port; it reconnects 200 ms after losing its connection. */
  add(user: string, port: number, opts: Partial<ClientOptions> = {}): ImClient {
    const c: ImClient = tcpClient(
      { user, token: makeToken(user), protocol: this.protocol, incarnation: newIncarnation(), reconnect: { kind: 'fixed', delayUs: 200_000 }, ...opts },
      { host: '127.0.0.1', port },
      recordingObserver({ ledger: this.ledger, user, device: () => c.device, now: () => this.sched.now() }),
      this.sched,
    );
    this.clients.set(user, c);
    c.start();
    return c;
  }

  send(from: string, to: string, body: string): void {
    const c = this.clients.get(from);
    if (!c) throw new Error(`no client for ${from}`);
    this.ledger.sent(from, to, c.send(to, body), this.sched.now());
  }

  get allOnline(): boolean {
    return [...this.clients.values()].every((c) => c.state === 'online');
  }

  /** Polls `cond` until it holds; throws after `ms` with `what` and the ledger's counts. */
  async until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms; ledger ${JSON.stringify(this.ledger.counts())}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  stop(): void {
    for (const c of this.clients.values()) c.stop();
  }
}
