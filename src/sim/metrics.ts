// What a run cost, per delivered message and per hour: the numbers the protocol comparison is
// about. Computed from the world after a run; nothing here changes the run.
import type { FrameRecord } from '../scenario/observer';
import type { DeliverySummary, Ledger } from './ledger';

/** What the metrics are computed from: a simulated World, or a real run (src/server/load/load.ts). */
export interface MetricsSource {
  readonly ledger: Ledger;
  readonly frames: readonly FrameRecord[];
  /** Time the run lasted, µs (virtual or real). */
  readonly now: number;
  /** Each device's link, by device name (bytes include TCP/IP headers). */
  readonly links: ReadonlyMap<string, { readonly bytesUp: number; readonly bytesDown: number; readonly wakeups: number }>;
  readonly clients: ReadonlyMap<string, { readonly stats: { readonly heartbeats: number; readonly connects: number } }>;
}

export interface RunMetrics {
  delivery: DeliverySummary;
  /** Delivery frames (pushes, delivery requests and their replies) / 2, per delivered message. */
  roundTripsPerMessage: number;
  /** All bytes on the devices' links (TCP/IP headers included), per delivered message. */
  bytesPerMessage: number;
  /** Of which message bodies. */
  payloadBytesPerMessage: number;
  /** Radio wake-ups (packets that found the radio idle after its tail time), all devices. */
  wakeups: number;
  wakeupsPerHour: number;
  /** Per device: radio wake-ups per hour (a phone's battery is its own). */
  wakeupsPerHourByDevice: Record<string, number>;
  heartbeatsPerHour: number;
  reconnects: number;
  virtualHours: number;
}

const DELIVERY_KINDS = new Set(['msg-send', 'msg-psh', 'msg-recv', 'msg-sync', 'msg-fin', 'reply:msg-recv', 'reply:msg-sync', 'reply:msg-fin']);

export function runMetrics(world: MetricsSource): RunMetrics {
  const delivery = world.ledger.summary();
  const delivered = Math.max(1, delivery.unique);
  let deliveryFrames = 0;
  for (const f of world.frames) if (DELIVERY_KINDS.has(f.kind)) deliveryFrames++;
  const hours = Math.max(1e-9, world.now / 3_600_000_000);
  let bytes = 0, wakeups = 0;
  const byDevice: Record<string, number> = {};
  for (const [device, l] of world.links) {
    bytes += l.bytesUp + l.bytesDown;
    wakeups += l.wakeups;
    byDevice[device] = l.wakeups / hours;
  }
  let payload = 0;
  for (const e of world.ledger.log) payload += Buffer.byteLength(e.body);
  let heartbeats = 0, reconnects = 0;
  for (const c of world.clients.values()) {
    heartbeats += c.stats.heartbeats;
    reconnects += Math.max(0, c.stats.connects - 1);
  }
  return {
    delivery,
    roundTripsPerMessage: delivery.unique ? deliveryFrames / 2 / delivered : NaN,
    bytesPerMessage: delivery.unique ? bytes / delivered : NaN,
    payloadBytesPerMessage: delivery.unique ? payload / delivered : NaN,
    wakeups,
    wakeupsPerHour: wakeups / hours,
    wakeupsPerHourByDevice: byDevice,
    heartbeatsPerHour: heartbeats / hours,
    reconnects,
    virtualHours: hours,
  };
}
