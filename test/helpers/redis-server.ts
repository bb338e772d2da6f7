// Tests start a redis-server of their own: the same starter `imsim cluster` uses.
import Redis from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedisServer, type RedisServer } from '../../src/server/redis-process';

export { freePort, startRedisServer, type RedisServer } from '../../src/server/redis-process';

/** One redis-server for the whole test file, with an admin connection; both stopped after it. */
export function useRedisServer(): { readonly server: RedisServer; readonly admin: Redis } {
  const ctx = {} as { server: RedisServer; admin: Redis };
  beforeAll(async () => {
    ctx.server = await startRedisServer();
    ctx.admin = new Redis(ctx.server.url);
  });
  afterAll(async () => {
    ctx.admin?.disconnect();
    await ctx.server?.stop();
  });
  return ctx;
}
