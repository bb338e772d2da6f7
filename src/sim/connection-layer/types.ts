// The connection-layer model's options, results and constants (model.ts builds and runs it).
import type { HeartbeatPolicy, ReconnectPolicy } from '../../protocol/policies';
import type { Kernel } from '../kernel';

export const BALANCERS = ['round-robin', 'least-loaded', 'random'] as const;
export type Balancer = (typeof BALANCERS)[number];

export const RESTART_POLICIES = ['hard', 'drain', 'rolling', 'night'] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];
export type RestartMethod = Exclude<RestartPolicy, 'night'>;

export interface ServerSpec {
  /** Most connections a server holds; one beyond is refused (accepted and closed). */
  limit: number;
  /** Connections accepted per second; Infinity = at once (no backlog). */
  acceptRate: number;
  /** Accept queue (listen backlog) length: connections beyond it are refused. */
  backlog: number;
  /** Memory per connection, KiB (kernel socket + process). */
  memKiB: number;
  /** CPU per accept, per login and per heartbeat, µs of one core. */
  cpuAcceptUs: number;
  cpuLoginUs: number;
  cpuHeartbeatUs: number;
  cores: number;
}

export const DEFAULT_SERVER: ServerSpec = {
  limit: 700_000, // the deck: one server stress-tested at 700k
  acceptRate: 10_000,
  backlog: 4096, // Linux net.core.somaxconn default since 5.4
  memKiB: 7.5, // design.md §8: ≈ 4.0 KiB kernel + ≈ 3.5 KiB Node per idle connection, measured here
  cpuAcceptUs: 30,
  cpuLoginUs: 50,
  cpuHeartbeatUs: 5,
  cores: 8,
};

export interface DiurnalOptions {
  /** 24 hourly weights, 00:00 … 23:00 (default IM_HOURLY, the workload's curve); only their shape matters:
   *  the busiest hour has `peakOnline` of the clients online. */
  curve?: readonly number[];
  /** Fraction of the clients online at the peak, in (0, 1). Default 0.8. */
  peakOnline?: number;
  /** Mean length of a user's session (app in use, connected), seconds. Default 1800. */
  meanSession?: number;
  /** Clock time at t = 0, hours after midnight. Default 0. */
  startHour?: number;
}

export interface RestartPlan {
  policy: RestartPolicy;
  /** When, in simulated seconds; for 'night', the earliest time (it runs at the next trough). */
  at: number;
  /** For 'night': how to restart then. Default 'hard'. */
  method?: RestartMethod;
  /** Which servers (default all). */
  servers?: number[];
  /** Seconds a restarted server takes to accept again; Infinity = it stays down. Default 5. */
  downtime?: number;
  /** Drain: seconds over which a draining server closes its connections. Default 60. */
  window?: number;
  /** Drain and rolling: servers at a time. Default 1. */
  batch?: number;
  /** Rolling: start the next batch when sessions are back to this fraction of before. Default 0.99. */
  backFraction?: number;
  /** Rolling: the longest wait for that, seconds (then it carries on). Default 600. */
  maxWait?: number;
  /** Clients notice a cut spread over this many seconds (0: a reset reaches them at once; a dead machine is
   * noticed only by heartbeat timeout). Default 0. */
  noticeWithin?: number;
}

export interface ConnectionLayerOptions {
  clients: number;
  servers: number;
  server?: Partial<ServerSpec>;
  balancer?: Balancer;
  /** A HEARTBEAT name or policy. Default 'fixed-270s'. */
  heartbeat?: string | HeartbeatPolicy;
  /** A RECONNECT name or policy, for reconnects and for retries after a refusal or failure. Default 'exponential'. */
  reconnect?: string | ReconnectPolicy;
  /** Each client's round trip, uniform in [min, max] ms. Default [40, 400] (mobile). */
  rttMs?: [number, number];
  /** A client gives up on a connection still in the backlog after this many seconds. Default 10. */
  connectTimeout?: number;
  /** Logic latency of a login, ms. Default 2. */
  loginMs?: number;
  /** Logic-layer requests per login (AUTH and the first sync). Default 2. */
  logicPerLogin?: number;
  /** Clients first connect uniformly over this many seconds; 0 = they are connected and logged in at t = 0. Default 0. */
  rampUp?: number;
  /** Mean life of a connection before the network drops it, seconds (exponential); Infinity = never. Default Infinity. */
  meanConnection?: number;
  /** After a network drop, mean seconds without network (exponential); the client reconnects when it is back. Default 5. */
  meanOffline?: number;
  /** Users come and go with the time of day; null/undefined = everyone wants to be online all the time. */
  diurnal?: DiurnalOptions | null;
  restarts?: RestartPlan[];
  seed?: string | number;
  /** Run on this kernel (several layers may share one; give each its own name). */
  kernel?: Kernel;
  /** Names the random streams and trace records. Default 'layer'. */
  name?: string;
}

/** One row a second (rates per second; levels at the end of the second). */
export interface LayerSeries {
  t: number[];
  /** Logged-in sessions, and connections held (sessions + logins in progress). */
  sessions: number[];
  connections: number[];
  attempts: number[];
  accepts: number[];
  refused: number[];
  failed: number[];
  logicQps: number[];
  heartbeats: number[];
  backlog: number[];
  /** Connections on the fullest and emptiest server that is up. */
  maxServer: number[];
  minServer: number[];
  /** CPU utilisation of the busiest server, 0..1 of its cores. */
  cpuMax: number[];
}

export interface RestartRecord {
  policy: RestartPolicy;
  method: RestartMethod;
  servers: number[];
  /** Simulated second it began (for 'night': the trough it waited for). */
  start: number;
  /** When the last server accepted again (null: not yet, or never). */
  end: number | null;
  sessionsBefore: number;
  minSessions: number;
  /** Connections the restart closed (cut or drained) and of those clients how many logged in again. */
  cut: number;
  back: number;
  /** Cut clients whose users left before reconnecting (diurnal): not counted as owed. */
  left: number;
  /** Seconds from start until the operation was over (its last server back up) and 99% of the clients it closed
   * (less those whose users left) were logged in again; null if not yet. */
  reconnected99: number | null;
}

export interface LayerTotals {
  attempts: number;
  accepts: number;
  refused: number;
  failed: number;
  /** Accepts of connections their clients had already given up on. */
  abandoned: number;
  logins: number;
  logicRequests: number;
  heartbeats: number;
  /** Connections closed by the network, by users logging off, by restarts. */
  drops: number;
  logouts: number;
  cut: number;
}

export interface LayerPeaks {
  attemptsPerS: number;
  acceptsPerS: number;
  logicQps: number;
  refusedPerS: number;
  /** Most connections waiting in all backlogs at once (exact). */
  backlog: number;
  /** Most connections any server held (exact, at each accept), and its memory, MiB. */
  serverConnections: number;
  serverMemMiB: number;
  cpu: number;
}

export interface LayerResult {
  name: string;
  clients: number;
  servers: number;
  seconds: number;
  totals: LayerTotals;
  peaks: LayerPeaks;
  peakPerServer: number[];
  restarts: RestartRecord[];
  series: LayerSeries;
  events: number;
  /** The kernel's trace fingerprint after the run (a digest of every second's counters). */
  fingerprint: string;
}

export const US = 1_000_000;
// Client states.
export const OFF = 0; // the user is not using the app (diurnal): no connection wanted
export const WAIT = 1; // waiting to (re)connect
export const SYN = 2; // connection on its way to the server
export const QUEUED = 3; // in the server's accept queue
export const LOGIN = 4; // accepted, login at the logic layer
export const ONLINE = 5; // logged in, heartbeating
// Why an online connection ends at endAt.
export const END_DROP = 1;
export const END_LOGOUT = 2;
export const END_CLOSE = 3;
// Server states.
export const DOWN = 0;
export const UP = 1;
export const DRAINING = 2;
