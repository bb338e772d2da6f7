// The user -> connection table of a split deployment: for each user a Hash of the connections it
// is logged in on, `<gw>:<conn>`, where gw names one connection-process incarnation (ids are never
// reused, so a route can never reach someone else's connection by a recycled number). A push for
// bob goes only to the connection processes in his Hash, each through its own List.
//
// Routes go stale when a connection process dies (no `closed` ever comes for its connections) or,
// rarely, when a login is handled again after its connection closed (a redelivered queue entry).
// Both are repaired where they are found: a lookup drops routes to processes whose lease is gone,
// and a connection process that gets a push for a connection it no longer has drops that route.
import type Redis from 'ioredis';
import { parseRouteField, routeField, type ClusterKeys } from './cluster-keys';

export interface Route { gw: number; conn: number }

export class RouteTable {
  /** Routes dropped because they led to a dead process or a closed connection. */
  repaired = 0;

  constructor(private readonly redis: Redis, private readonly keys: ClusterKeys) {}

  add(user: string, gw: number, conn: number): Promise<unknown> {
    return this.redis.hset(this.keys.route(user), routeField(gw, conn), String(gw));
  }

  remove(user: string, gw: number, conn: number): Promise<unknown> {
    return this.redis.hdel(this.keys.route(user), routeField(gw, conn));
  }

  /**
   * Queue protocol: the newest message id pushed on this connection (the route's value is `<gw>`, then
   * `<gw>:<id>`); null when the route is gone (the connection closed).
   */
  async pushed(user: string, gw: number, conn: number): Promise<number | null> {
    const v = await this.redis.hget(this.keys.route(user), routeField(gw, conn));
    if (v === null) return null;
    const i = v.indexOf(':');
    return i < 0 ? 0 : Number(v.slice(i + 1)) || 0;
  }

  setPushed(user: string, gw: number, conn: number, id: number): Promise<unknown> {
    return this.redis.hset(this.keys.route(user), routeField(gw, conn), `${gw}:${id}`);
  }

  /** A route found to lead nowhere: dropped, and counted. */
  async repair(user: string, gw: number, conn: number): Promise<void> {
    this.repaired += Number(await this.redis.hdel(this.keys.route(user), routeField(gw, conn)));
  }

  /** The user's connections on live connection processes; routes to dead ones are dropped on the way. */
  async lookup(user: string): Promise<Route[]> {
    const fields = await this.redis.hkeys(this.keys.route(user));
    const routes = fields.map(parseRouteField).filter((r): r is Route => r !== null);
    if (routes.length === 0) return [];
    const gws = [...new Set(routes.map((r) => r.gw))];
    const leases = await this.redis.mget(...gws.map((g) => this.keys.gwAlive(g)));
    const dead = new Set(gws.filter((_, i) => leases[i] === null));
    if (dead.size === 0) return routes;
    const stale = routes.filter((r) => dead.has(r.gw));
    this.repaired += Number(await this.redis.hdel(this.keys.route(user), ...stale.map((r) => routeField(r.gw, r.conn))));
    return routes.filter((r) => !dead.has(r.gw));
  }
}
