// The scenario harness on the simulator: every wait runs the kernel until the condition holds.
import type { ClientOptions } from '../protocol/client';
import type { Harness } from '../scenario/harness';
import { countFrames } from '../scenario/observer';
import { World, type WorldOptions } from './world';

export class SimHarness implements Harness {
  readonly world: World;

  constructor(opts: WorldOptions) {
    this.world = new World(opts);
  }

  get protocol() {
    return this.world.opts.protocol;
  }

  get ledger() {
    return this.world.ledger;
  }

  frameCounts(user: string): Map<string, number> {
    return countFrames(this.world.frames, user);
  }

  async login(user: string, opts: Partial<ClientOptions> = {}): Promise<void> {
    const c = this.world.addClient(user, opts);
    c.start();
    this.world.runUntil(() => c.state === 'online', undefined, `${user} logged in`);
  }

  send(from: string, to: string, bodies: string[]): void {
    for (const b of bodies) this.world.send(from, to, b);
  }

  async drop(user: string): Promise<void> {
    const c = this.world.client(user);
    c.drop();
    this.world.runUntil(() => [...this.world.logic.sessions.of(user)].length === 0, undefined, `server saw ${user} go`);
  }

  async reconnect(user: string): Promise<void> {
    const c = this.world.client(user);
    c.start();
    this.world.runUntil(() => c.state === 'online', undefined, `${user} logged in again`);
  }

  async settle(what: string, cond: () => boolean = () => true): Promise<void> {
    this.world.runUntil(() => cond() && this.quiet(), undefined, what);
  }

  async close(): Promise<void> {}

  private quiet(): boolean {
    for (const c of this.world.clients.values()) if (c.unanswered > 0) return false;
    return this.world.upQueue.length === 0;
  }
}
