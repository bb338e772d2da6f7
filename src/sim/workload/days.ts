// Whole simulated days of the deployment with the deck's monitoring attached: a population (platform and
// network mixes, diurnal sessions, text and image messages), the logic layer's capacity model, and the
// monitoring invariants checked every simulated hour. What notebook 06 draws its dashboard from.
import { Monitor } from '../../monitor/monitor';
import type { Violation } from '../../monitor/monitor';
import type { ClientOptions } from '../../protocol/client';
import type { ProtocolName } from '../../protocol/messages';
import { HEARTBEAT, RECONNECT } from '../../protocol/policies';
import { runInvariants } from '../invariants';
import type { LogicModelOptions } from '../logic-model';
import { World } from '../world';
import { DAY_US } from './diurnal';
import { Population, type PopulationOptions } from './population';

const HOUR_US = 3_600_000_000;

export interface DaysOptions {
  protocol?: ProtocolName;
  seed?: string | number;
  /** Users (scaled down: the deck's millions are hundreds here). Default 300. */
  users?: number;
  /** How long to run, hours (default 46: all of yesterday and today until 22:00). */
  hours?: number;
  /** Anything else about the population (sessions, messages, mixes, curve). */
  population?: Partial<Omit<PopulationOptions, 'users'>>;
  /** The logic layer's capacity model. Default { workers: 2 }. */
  logic?: LogicModelOptions;
  client?: Partial<ClientOptions>;
  /** A failure to show: the logic layer restarts at `at` (µs) and is down `downUs`. */
  restart?: { at: number; downUs: number };
  /** After the run, stop new traffic and run this much longer (µs) so everything drains; the invariants are then checked at rest. */
  settleUs?: number;
  /** Called every simulated hour (progress). */
  onHour?: (hour: number, world: World) => void;
}

export interface DaysRun {
  world: World;
  monitor: Monitor;
  population: Population;
  /** Invariant violations found at the hourly checks and at the end (empty: all held). */
  violations: Violation[];
  /** How many times the invariants were checked. */
  checks: number;
}

export function simulateDays(o: DaysOptions = {}): DaysRun {
  const monitor = new Monitor();
  const world = new World({
    protocol: o.protocol ?? 'versioned', seed: o.seed ?? 1, monitor, logic: o.logic ?? { workers: 2 },
    client: { heartbeat: HEARTBEAT['fixed-270s'], reconnect: RECONNECT.exponential, ...o.client },
  });
  const hours = o.hours ?? 46;
  const endUs = Math.round(hours * HOUR_US);
  const population = new Population(world, { users: o.users ?? 300, ...o.population, untilUs: o.settleUs ? endUs : o.population?.untilUs });
  population.start();
  if (o.restart) {
    const { at, downUs } = o.restart;
    world.kernel.at(at, () => world.restartLogic(downUs));
  }
  const violations: Violation[] = [];
  let checks = 0;
  const check = (atRest: boolean) => {
    checks++;
    for (const v of runInvariants(world, monitor, { atRest })) if (violations.length < 100) violations.push(v);
  };
  for (let h = 1; world.now < endUs; h++) {
    world.runFor(Math.min(HOUR_US, endUs - world.now));
    check(false);
    o.onHour?.(h, world);
  }
  if (o.settleUs) {
    world.runFor(o.settleUs);
    check(true);
  }
  return { world, monitor, population, violations, checks };
}


