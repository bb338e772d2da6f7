/**
 * The capacity plan of the Momo deck, with every figure's source (design.md §8):
 *
 *   陌陌连接层: 总连接数 1200万+ · 单台服务器压测70万连接，一般使用50%
 *   (12M+ connections in all; one server stress-tested at 700k connections; normally run at 50%)
 *
 * gives servers = ⌈12,000,000 / (700,000 × 0.5)⌉ = ⌈34.29⌉ = 35 connection servers. Rounded up: 34 servers
 * would carry 352,941 connections each, 50.4% of the tested 700k, over the 50% rule.
 *
 * Beyond the deck's arithmetic the plan sizes what the deck leaves implicit, each from a stated assumption:
 * memory per connection server (kernel socket memory + process memory per connection, measured on this
 * machine), logic-layer workers for a target wait (Erlang C, an M/M/c model of the async queue), and the
 * store's memory for the messages kept (volume × retention, optionally capped per user).
 */
import { mmc, waitExceeds, waitQuantile, workersForMeanWait, workersForWaitPercentile } from './erlang';

export interface PlanInputs {
  /** Connections to hold in all. */
  connections: number;
  /** Connections one server held in its stress test. */
  perServerTested: number;
  /** Fraction of the tested figure to run at (0 < u <= 1). */
  utilisation: number;
  /** Servers beyond the estimate (N+1 = 1). */
  spareServers: number;
  /** Kernel memory per idle TCP connection, KiB. */
  kernelKiB: number;
  /** Process (RSS) memory per connection, KiB. */
  processKiB: number;
  /** Messages per day, on average. */
  messagesPerDay: number;
  /** Busiest-hour rate over the daily average. */
  peakFactor: number;
  /** Message rate to size the logic layer for, per second; 0 = messagesPerDay / 86400 × peakFactor. */
  messagesPerSecond: number;
  /** Logic-layer work per message (a worker's service time), milliseconds. */
  serviceMs: number;
  /** Wait target in the async queue, milliseconds. */
  waitMs: number;
  /** Which wait must meet the target: 'mean', or a percentile in (0, 100) such as 99. */
  waitPercentile: number | 'mean';
  /** Workers per logic server. */
  workersPerServer: number;
  /** Registered users (mailboxes in the store). */
  users: number;
  /** Stored bytes per message, store overhead included. */
  messageBytes: number;
  /** Days a message is kept. */
  retentionDays: number;
  /** Most messages kept per user mailbox; 0 = no cap. */
  maxHistory: number;
}

/** One input: its flag, default, unit, and where the default comes from. */
export interface PlanParam {
  key: keyof PlanInputs;
  flag: string;
  default: number | 'mean';
  unit: string;
  help: string;
  source: string;
  /** Integer-valued. */
  integer?: boolean;
}

const MOMO_2013 = 'Momo CEO Tang Yan on Weibo, Nov 2013, as reported in the press: 80M users, 13M daily active, 500M messages a day';

export const PLAN_PARAMS: readonly PlanParam[] = [
  { key: 'connections', flag: 'connections', default: 12_000_000, unit: 'connections', integer: true,
    help: 'connections to hold in all', source: 'deck: 总连接数 1200万+ (12M+ connections)' },
  { key: 'perServerTested', flag: 'per-server', default: 700_000, unit: 'connections', integer: true,
    help: 'connections one server held in its stress test', source: 'deck: 单台服务器压测70万连接 (700k per server, stress test)' },
  { key: 'utilisation', flag: 'utilisation', default: 0.5, unit: 'fraction',
    help: 'fraction of the tested figure to run at, in (0, 1]', source: 'deck: 一般使用50% (normally 50%)' },
  { key: 'spareServers', flag: 'spare', default: 0, unit: 'servers', integer: true,
    help: 'servers beyond the estimate (--n-plus-one = 1)', source: 'the deck adds none' },
  { key: 'kernelKiB', flag: 'kernel-kib', default: 4.0, unit: 'KiB/conn',
    help: 'kernel memory per idle TCP connection', source: 'design.md §8: measured on this machine, idle TCP socket ≈ 4.0 KB' },
  { key: 'processKiB', flag: 'process-kib', default: 3.5, unit: 'KiB/conn',
    help: 'process memory (RSS) per connection', source: 'design.md §8: Node 20 raw net.Socket ≈ +3.5 KB RSS, measured here' },
  { key: 'messagesPerDay', flag: 'messages-per-day', default: 500_000_000, unit: 'messages/day',
    help: 'messages per day on average', source: MOMO_2013 },
  { key: 'peakFactor', flag: 'peak-factor', default: 2, unit: '×',
    help: 'busiest-hour rate over the daily average', source: 'assumption: a diurnal curve peaking at twice its mean' },
  { key: 'messagesPerSecond', flag: 'messages-per-second', default: 0, unit: 'messages/s',
    help: 'rate to size the logic layer for; 0 = messages-per-day / 86400 × peak-factor', source: 'derived unless given' },
  { key: 'serviceMs', flag: 'service-ms', default: 1, unit: 'ms',
    help: 'logic-layer work per message (session check, store write, push notice)', source: 'assumption' },
  { key: 'waitMs', flag: 'wait-ms', default: 10, unit: 'ms',
    help: 'wait target in the async queue', source: 'assumption: small next to a mobile round trip (100s of ms)' },
  { key: 'waitPercentile', flag: 'wait-percentile', default: 99, unit: '',
    help: "which wait meets the target: a percentile in (0, 100), or 'mean'", source: 'assumption' },
  { key: 'workersPerServer', flag: 'workers-per-server', default: 8, unit: 'workers', integer: true,
    help: 'logic workers per logic server', source: 'assumption: one per core of an 8-core server' },
  { key: 'users', flag: 'users', default: 80_000_000, unit: 'users', integer: true,
    help: 'registered users (mailboxes in the store)', source: MOMO_2013 },
  { key: 'messageBytes', flag: 'message-bytes', default: 200, unit: 'bytes',
    help: 'stored bytes per message, store overhead included', source: 'assumption: ~100 B of message + ~100 B of sorted-set entry' },
  { key: 'retentionDays', flag: 'retention-days', default: 7, unit: 'days',
    help: 'days a message is kept', source: 'assumption' },
  { key: 'maxHistory', flag: 'max-history', default: 0, unit: 'messages/user', integer: true,
    help: 'most messages kept per user mailbox (the versioned protocol trims); 0 = no cap', source: 'assumption: no cap' },
];

export const PLAN_DEFAULTS: PlanInputs = Object.fromEntries(PLAN_PARAMS.map((p) => [p.key, p.default])) as unknown as PlanInputs;

/** A bad input; `field` names it, so a CLI can name its flag. */
export class PlanInputError extends RangeError {
  constructor(
    readonly field: keyof PlanInputs,
    message: string,
  ) {
    super(message);
    this.name = 'PlanInputError';
  }
}

export interface CapacityPlan {
  inputs: PlanInputs;
  connection: {
    /** connections / (perServerTested × utilisation), before rounding. */
    exact: number;
    /** ⌈exact⌉: the deck's figure. */
    servers: number;
    spare: number;
    /** servers + spare. */
    total: number;
    /** Connections each server holds when all are up and evenly loaded. */
    perServer: number;
    /** perServer / perServerTested. */
    utilisation: number;
    /** Utilisation of the others when one server is down. */
    utilisationOneDown: number;
    /** The most connections any server may hold under the utilisation rule. */
    perServerLimit: number;
    kernelBytesPerServer: number;
    processBytesPerServer: number;
    /** Memory per server at the tested figure (the stress test's worst case). */
    bytesPerServerAtTested: number;
    fleetBytes: number;
  };
  logic: {
    messagesPerSecond: number;
    /** Offered load a = λ × service time, Erlangs (busy workers on average). */
    offered: number;
    workers: number;
    rho: number;
    /** Closed-form mean and 99th percentile wait at that size, ms. */
    meanWaitMs: number;
    p99WaitMs: number;
    /** P(wait > waitMs). */
    pOverTarget: number;
    /** The target, in words. */
    target: string;
    servers: number;
  };
  store: {
    messagesPerDay: number;
    /** Messages kept: per day × retention, capped by users × maxHistory. */
    messagesKept: number;
    /** Whether the per-user cap is what bounds the store. */
    cappedByHistory: boolean;
    bytes: number;
  };
}

export const KIB = 1024;
const SECONDS_PER_DAY = 86_400;

function validate(x: PlanInputs): void {
  for (const p of PLAN_PARAMS) {
    const v = x[p.key];
    if (p.key === 'waitPercentile') {
      if (v === 'mean') continue;
      if (!(typeof v === 'number' && v > 0 && v < 100)) {
        throw new PlanInputError(p.key, `wait percentile must be in (0, 100) (e.g. 99) or 'mean', got ${String(v)}`);
      }
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new PlanInputError(p.key, `${p.help}: must be a number, got ${String(v)}`);
    if (p.integer && !Number.isSafeInteger(v)) throw new PlanInputError(p.key, `${p.help}: must be a whole number, got ${v}`);
  }
  const positive: (keyof PlanInputs)[] = ['connections', 'perServerTested', 'messagesPerDay', 'peakFactor', 'serviceMs', 'waitMs', 'workersPerServer', 'users', 'messageBytes', 'retentionDays'];
  for (const k of positive) if (!((x[k] as number) > 0)) throw new PlanInputError(k, `${helpOf(k)}: must be > 0, got ${x[k]}`);
  const nonNegative: (keyof PlanInputs)[] = ['spareServers', 'kernelKiB', 'processKiB', 'messagesPerSecond', 'maxHistory'];
  for (const k of nonNegative) if (!((x[k] as number) >= 0)) throw new PlanInputError(k, `${helpOf(k)}: must be >= 0, got ${x[k]}`);
  if (!(x.utilisation > 0 && x.utilisation <= 1)) {
    throw new PlanInputError('utilisation', `utilisation is a fraction in (0, 1], e.g. 0.5 for the deck's 50%; got ${x.utilisation}`);
  }
}

function helpOf(k: keyof PlanInputs): string {
  return PLAN_PARAMS.find((p) => p.key === k)!.help;
}

/** The rate the logic layer is sized for, per second. */
export function messageRate(x: PlanInputs): number {
  return x.messagesPerSecond > 0 ? x.messagesPerSecond : (x.messagesPerDay / SECONDS_PER_DAY) * x.peakFactor;
}

/** Computes the plan; unspecified inputs take the deck's (or the stated assumptions') defaults. */
export function planCapacity(overrides: Partial<PlanInputs> = {}): CapacityPlan {
  for (const k of Object.keys(overrides)) {
    if (!(k in PLAN_DEFAULTS)) throw new RangeError(`unknown plan input '${k}'; known: ${Object.keys(PLAN_DEFAULTS).join(', ')}`);
  }
  const x: PlanInputs = { ...PLAN_DEFAULTS, ...overrides };
  validate(x);

  // Connection layer: the deck's arithmetic.
  const perServerLimit = x.perServerTested * x.utilisation;
  const exact = x.connections / perServerLimit;
  // A whole number of servers; the tiny epsilon keeps an exact quotient (e.g. 34.000000000000004) from rounding up.
  const servers = Math.ceil(exact - 1e-9);
  const total = servers + x.spareServers;
  const perServer = x.connections / total;
  const perConnBytes = (x.kernelKiB + x.processKiB) * KIB;

  // Logic layer: M/M/c with λ = message rate, μ = 1 / service time.
  const lambda = messageRate(x);
  const mu = 1000 / x.serviceMs;
  const t = x.waitMs / 1000;
  const workers =
    x.waitPercentile === 'mean' ? workersForMeanWait(lambda, mu, t) : workersForWaitPercentile(lambda, mu, t, 1 - x.waitPercentile / 100);
  const m = mmc(lambda, mu, workers);
  const target = x.waitPercentile === 'mean' ? `mean wait <= ${x.waitMs} ms` : `${x.waitPercentile}% of messages wait <= ${x.waitMs} ms`;

  // Store: what is kept.
  const byRetention = x.messagesPerDay * x.retentionDays;
  const byHistory = x.maxHistory > 0 ? x.users * x.maxHistory : Infinity;
  const messagesKept = Math.min(byRetention, byHistory);

  return {
    inputs: x,
    connection: {
      exact,
      servers,
      spare: x.spareServers,
      total,
      perServer,
      utilisation: perServer / x.perServerTested,
      utilisationOneDown: total > 1 ? x.connections / (total - 1) / x.perServerTested : Infinity,
      perServerLimit,
      kernelBytesPerServer: perServer * x.kernelKiB * KIB,
      processBytesPerServer: perServer * x.processKiB * KIB,
      bytesPerServerAtTested: x.perServerTested * perConnBytes,
      fleetBytes: x.connections * perConnBytes,
    },
    logic: {
      messagesPerSecond: lambda,
      offered: m.offered,
      workers,
      rho: m.rho,
      meanWaitMs: m.Wq * 1000,
      p99WaitMs: waitQuantile(lambda, mu, workers, 0.99) * 1000,
      pOverTarget: waitExceeds(lambda, mu, workers, t),
      target,
      servers: Math.ceil(workers / x.workersPerServer),
    },
    store: {
      messagesPerDay: x.messagesPerDay,
      messagesKept,
      cappedByHistory: byHistory < byRetention,
      bytes: messagesKept * x.messageBytes,
    },
  };
}

/** The plan's inputs with their sources, for printing "assumptions". */
export function planAssumptions(plan: CapacityPlan): { parameter: string; value: string; source: string }[] {
  return PLAN_PARAMS.map((p) => {
    const v = plan.inputs[p.key];
    const changed = v !== p.default;
    if (p.key === 'messagesPerSecond' && !changed) {
      return { parameter: `--${p.flag}`, value: `${formatNumber(Math.round(messageRate(plan.inputs)))} ${p.unit}`, source: 'derived: messages-per-day / 86400 × peak-factor' };
    }
    const shown =
      p.key === 'utilisation' ? `${v} (${formatNumber((v as number) * 100)}%)` : typeof v === 'number' ? `${formatNumber(v)}${p.unit ? ` ${p.unit}` : ''}` : v;
    return {
      parameter: `--${p.flag}`,
      value: shown,
      source: changed ? `given (default ${p.default})` : p.source,
    };
  });
}

/** 12000000 -> "12,000,000"; 34.2857 -> "34.29". */
export function formatNumber(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Bytes in binary units: 4096 -> "4.0 KiB". */
export function formatBytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i++;
  }
  return `${b.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** The plan's results as rows (quantity, value, how it was computed). */
export function planRows(plan: CapacityPlan): { quantity: string; value: string; how: string }[] {
  const c = plan.connection;
  const l = plan.logic;
  const s = plan.store;
  const x = plan.inputs;
  const pct = (f: number) => `${(f * 100).toFixed(1)}%`;
  return [
    { quantity: 'connection servers (estimate)', value: formatNumber(c.servers),
      how: `⌈${formatNumber(x.connections)} / (${formatNumber(x.perServerTested)} × ${x.utilisation})⌉ = ⌈${formatNumber(c.exact, 2)}⌉, rounded up` },
    { quantity: 'connection servers (deployed)', value: formatNumber(c.total), how: c.spare ? `estimate + ${c.spare} spare (N+${c.spare})` : 'estimate, no spare' },
    { quantity: 'connections per server', value: formatNumber(Math.round(c.perServer)), how: `${pct(c.utilisation)} of the tested ${formatNumber(x.perServerTested)}; rule: <= ${formatNumber(c.perServerLimit)}` },
    { quantity: 'per server with one down', value: formatNumber(Math.round(x.connections / Math.max(1, c.total - 1))), how: `${pct(c.utilisationOneDown)} of tested` },
    { quantity: 'kernel memory per server', value: formatBytes(c.kernelBytesPerServer), how: `${formatNumber(Math.round(c.perServer))} × ${x.kernelKiB} KiB` },
    { quantity: 'process memory per server', value: formatBytes(c.processBytesPerServer), how: `${formatNumber(Math.round(c.perServer))} × ${x.processKiB} KiB` },
    { quantity: 'memory per server at the tested load', value: formatBytes(c.bytesPerServerAtTested), how: `${formatNumber(x.perServerTested)} × ${x.kernelKiB + x.processKiB} KiB` },
    { quantity: 'connection memory, whole fleet', value: formatBytes(c.fleetBytes), how: `${formatNumber(x.connections)} × ${x.kernelKiB + x.processKiB} KiB` },
    { quantity: 'message rate (logic layer)', value: `${formatNumber(Math.round(l.messagesPerSecond))}/s`,
      how: x.messagesPerSecond > 0 ? 'given' : `${formatNumber(x.messagesPerDay)}/day / 86400 × peak ${x.peakFactor}` },
    { quantity: 'offered load', value: `${formatNumber(l.offered, 2)} Erlangs`, how: `${formatNumber(Math.round(l.messagesPerSecond))}/s × ${x.serviceMs} ms: busy workers on average` },
    { quantity: 'logic workers', value: formatNumber(l.workers), how: `smallest c with ${l.target} (Erlang C, M/M/c)` },
    { quantity: 'worker utilisation', value: pct(l.rho), how: 'offered load / workers' },
    { quantity: 'queue wait: mean / p99', value: `${l.meanWaitMs.toFixed(3)} / ${l.p99WaitMs.toFixed(3)} ms`, how: `Erlang C; P(wait > ${x.waitMs} ms) = ${l.pOverTarget.toExponential(2)}` },
    { quantity: 'logic servers', value: formatNumber(l.servers), how: `⌈${l.workers} / ${x.workersPerServer} workers per server⌉` },
    { quantity: 'messages kept in the store', value: formatNumber(s.messagesKept),
      how: s.cappedByHistory ? `${formatNumber(x.users)} users × ${formatNumber(x.maxHistory)} (per-user cap)` : `${formatNumber(x.messagesPerDay)}/day × ${x.retentionDays} days` },
    { quantity: 'store memory', value: formatBytes(s.bytes), how: `× ${x.messageBytes} B per message (one copy; multiply for replicas)` },
  ];
}
