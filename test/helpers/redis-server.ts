// Tests start a redis-server of their own: the same starter `imsim cluster` uses.
export { freePort, startRedisServer, type RedisServer } from '../../src/server/redis-process';
