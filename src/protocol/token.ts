// Login tokens are verified, never trusted names: token = HMAC-SHA256(secret, user), hex, 32 chars.
// HMAC is a pure function, so the simulator stays deterministic.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DEFAULT_SECRET = 'imsim-dev-secret';

export function makeToken(user: string, secret: string = DEFAULT_SECRET): string {
  return createHmac('sha256', secret).update(user).digest('hex').slice(0, 32);
}

export function verifyToken(user: string, token: string, secret: string = DEFAULT_SECRET): boolean {
  const want = Buffer.from(makeToken(user, secret));
  const got = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}
