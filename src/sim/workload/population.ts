// A population of app users for the simulated deployment, over whole simulated days:
// - each user has a platform (ios, eios, android, wp: the deck's names; declared with CLIENT SETINFO
//   PLATFORM) and a network (a link profile), drawn from mixes;
// - users open the app in sessions that start as a Poisson process modulated by the diurnal curve
//   (so "yesterday" exists and looks like today), and stay a random (exponential) time;
// - while online a user sends messages at Poisson times to another user (online or not): text, or an
//   image. An image is uploaded over a separate HTTP connection first (the deck: 图片、语音等都可以开新的
//   TCP或HTTP连接); only its media reference travels on the long connection. The upload is modelled by
//   its delay on the user's network (connect + request round trips + bytes at the uplink rate), not by
//   its bytes on the long link.
// Everything is drawn from the World's seeded streams: the same seed gives the same day.
import type { Platform } from '../../monitor/sink';
import { mediaRef } from '../../protocol/messages';
import type { ClientOptions } from '../../protocol/client';
import { resolveProfile } from '../network/profiles';
import type { Rng } from '../rng';
import type { World } from '../world';
import { DAY_US, diurnalCurve, nextArrival, type DiurnalCurve } from './diurnal';

const MIN_US = 60_000_000;

/** Platform shares: an assumption (the deck names the platforms, not their shares). */
export const PLATFORM_MIX: Readonly<Record<Platform, number>> = { android: 0.55, ios: 0.35, eios: 0.05, wp: 0.05 };
/** Networks the users are on: an assumption. */
export const NETWORK_MIX: Readonly<Record<string, number>> = { wifi: 0.45, lte: 0.35, '3g': 0.15, edge: 0.05 };

export interface PopulationOptions {
  users: number;
  /** Weights per platform (normalised). Default PLATFORM_MIX. */
  platforms?: Partial<Record<Platform, number>>;
  /** Weights per link profile name (normalised). Default NETWORK_MIX. */
  networks?: Record<string, number>;
  /** App sessions per user per day, on average. Default 8. */
  sessionsPerDay?: number;
  /** Mean session length, minutes (exponential). Default 20. */
  sessionMinutes?: number;
  /** Messages a user sends per online minute, on average. Default 0.5. */
  messagesPerMinute?: number;
  /** Share of messages that are images. Default 0.1. */
  imageShare?: number;
  /** Mean image size, bytes (exponential, at least 10 KB). Default 150 KB. */
  imageBytes?: number;
  /** Server-side time to store an upload, ms. Default 20. */
  uploadServerMs?: number;
  /** Text body size, bytes. Default 40. */
  textBytes?: number;
  /** Hourly weights of the day's shape, or 'flat'. Default IM_HOURLY. */
  curve?: readonly number[] | 'flat';
  /** Users online from the start and never leaving (the app kept in the background). Default false: sessions. */
  alwaysOnline?: boolean;
  /** Sessions and messages start no earlier than this (µs) and stop at `untilUs`. Defaults 0 and never. */
  fromUs?: number;
  untilUs?: number;
  /** Client options for every user (heartbeat, reconnect …). */
  client?: Partial<ClientOptions>;
  /** User names are `<prefix><n>`. Default 'u'. */
  prefix?: string;
}

export interface PopulationUser {
  name: string;
  platform: Platform;
  network: string;
}

export interface UploadRecord {
  user: string;
  bytes: number;
  /** When the user picked the image, and when its reference went out on the long connection (µs). */
  startUs: number;
  sentUs: number;
}

export interface PopulationStats {
  /** App sessions started, and how many of them opened the app (connected a user who was offline). */
  sessions: number;
  opens: number;
  text: number;
  images: number;
  uploads: UploadRecord[];
}

function pickWeighted<T extends string>(rng: Rng, weights: Partial<Record<T, number>>): T {
  const entries = (Object.entries(weights) as [T, number][]).filter(([, w]) => w > 0);
  const total = entries.reduce((a, [, w]) => a + w, 0);
  if (!(total > 0)) throw new RangeError('a mix needs at least one positive weight');
  let x = rng.next() * total;
  for (const [k, w] of entries) {
    x -= w;
    if (x < 0) return k;
  }
  return entries[entries.length - 1][0];
}

/** The time to upload `bytes` over a fresh HTTP connection on a network: TCP connect and request round trips plus the bytes at the uplink rate. */
export function uploadDelayUs(network: string, bytes: number, serverMs = 20): number {
  const p = resolveProfile(network);
  const rttMs = p.upDelayMs + p.downDelayMs;
  const txMs = p.upKbps > 0 ? (bytes * 8) / p.upKbps : 0; // kbit/s = bits per ms
  return Math.round((2 * rttMs + txMs + serverMs) * 1000);
}

export class Population {
  readonly users: PopulationUser[] = [];
  readonly stats: PopulationStats = { sessions: 0, opens: 0, text: 0, images: 0, uploads: [] };
  readonly curve: DiurnalCurve;
  private readonly o: Required<Omit<PopulationOptions, 'platforms' | 'networks' | 'curve' | 'client' | 'untilUs'>> & PopulationOptions;
  private readonly rng: Rng;
  private readonly sessionEnd = new Map<string, number>();
  private readonly chatting = new Set<string>();
  private started = false;

  constructor(private readonly world: World, opts: PopulationOptions) {
    if (!Number.isSafeInteger(opts.users) || opts.users < 2) throw new RangeError(`a population needs at least 2 users, got ${opts.users}`);
    this.o = {
      sessionsPerDay: 8, sessionMinutes: 20, messagesPerMinute: 0.5, imageShare: 0.1, imageBytes: 150_000, uploadServerMs: 20,
      textBytes: 40, alwaysOnline: false, fromUs: 0, prefix: 'u', ...opts,
    };
    if (!(this.o.imageShare >= 0 && this.o.imageShare <= 1)) throw new RangeError(`imageShare is a fraction in [0, 1], got ${this.o.imageShare}`);
    this.curve = diurnalCurve(opts.curve);
    this.rng = world.kernel.rng('workload/population');
    const mixRng = world.kernel.rng('workload/mix');
    for (let i = 1; i <= opts.users; i++) {
      const u: PopulationUser = {
        name: `${this.o.prefix}${i}`,
        platform: pickWeighted(mixRng, opts.platforms ?? PLATFORM_MIX),
        network: pickWeighted(mixRng, opts.networks ?? NETWORK_MIX),
      };
      this.users.push(u);
      world.addClient(u.name, { ...opts.client, platform: u.platform }, { profile: u.network });
    }
  }

  /** Schedules every user's sessions and messages (call once, then run the world). */
  start(): void {
    if (this.started) throw new Error('population already started');
    this.started = true;
    const k = this.world.kernel;
    const from = Math.max(this.o.fromUs, k.now);
    for (const u of this.users) {
      if (this.o.alwaysOnline) {
        k.at(from, () => {
          this.stats.sessions++;
          this.sessionEnd.set(u.name, Infinity);
          this.stats.opens++;
          this.world.client(u.name).start();
          this.chat(u);
        });
      } else {
        this.scheduleSession(u, from);
      }
    }
  }

  /** Users whose app is open now. */
  get online(): number {
    return this.sessionEnd.size;
  }

  private get until(): number {
    return this.o.untilUs ?? Infinity;
  }

  private scheduleSession(u: PopulationUser, after: number): void {
    const t = nextArrival(this.rng, after, this.o.sessionsPerDay / DAY_US, this.curve);
    if (t >= this.until) return;
    this.world.kernel.at(t, () => {
      this.stats.sessions++;
      const end = t + Math.max(1_000_000, Math.round(this.rng.exp(this.o.sessionMinutes * MIN_US)));
      const was = this.sessionEnd.get(u.name);
      if (was === undefined) {
        this.stats.opens++;
        this.world.client(u.name).start();
        this.sessionEnd.set(u.name, end);
        this.world.kernel.at(end, () => this.maybeEnd(u));
        this.chat(u);
      } else if (end > was) {
        this.sessionEnd.set(u.name, end);
        this.world.kernel.at(end, () => this.maybeEnd(u));
      }
      this.scheduleSession(u, t);
    });
  }

  private maybeEnd(u: PopulationUser): void {
    const end = this.sessionEnd.get(u.name);
    if (end === undefined || end > this.world.now) return; // extended by a later session
    this.sessionEnd.delete(u.name);
    this.world.client(u.name).stop();
  }

  /** While the user is online: the next message after an exponential gap. */
  private chat(u: PopulationUser): void {
    if (this.chatting.has(u.name) || !(this.o.messagesPerMinute > 0)) return;
    this.chatting.add(u.name);
    const next = () => {
      const t = this.world.now + Math.max(1, Math.round(this.rng.exp(MIN_US / this.o.messagesPerMinute)));
      if (t >= this.until) return void this.chatting.delete(u.name);
      this.world.kernel.at(t, () => {
        if (!this.sessionEnd.has(u.name)) return void this.chatting.delete(u.name);
        this.message(u);
        next();
      });
    };
    next();
  }

  private message(u: PopulationUser): void {
    const n = this.users.length;
    let j = this.rng.int(0, n - 2);
    if (this.users[j] === u) j = n - 1; // anyone but the sender, uniformly
    const to = this.users[j].name;
    if (this.rng.next() < this.o.imageShare) {
      const bytes = Math.max(10_000, Math.round(this.rng.exp(this.o.imageBytes)));
      const hex = Array.from({ length: 8 }, () => Math.floor(this.rng.next() * 2 ** 32).toString(16).padStart(8, '0')).join('');
      const startUs = this.world.now;
      this.world.kernel.schedule(uploadDelayUs(u.network, bytes, this.o.uploadServerMs), () => {
        this.stats.images++;
        this.stats.uploads.push({ user: u.name, bytes, startUs, sentUs: this.world.now });
        this.world.send(u.name, to, mediaRef('image/jpeg', hex));
      });
    } else {
      this.stats.text++;
      const body = `t${this.stats.text} `;
      this.world.send(u.name, to, body + 'x'.repeat(Math.max(0, this.o.textBytes - body.length)));
    }
  }
}

/** Adds `opts.users` users to the world and starts their days. */
export function populate(world: World, opts: PopulationOptions): Population {
  const p = new Population(world, opts);
  p.start();
  return p;
}
