// A fresh client incarnation for real runs: every ImClient built for real sockets takes one, so a
// restarted client (another `imsim client`, another `imsim load` run) never reuses an earlier run's
// client message ids -- the store would drop those as repeats while the server still answers +OK.
import { randomInt } from 'node:crypto';
import { drawIncarnation } from '../protocol/client';

const SPAN = 2 ** 48 - 1; // the largest bound randomInt takes

/** A random incarnation (6 base36 characters), from the operating system's randomness. */
export function newIncarnation(): string {
  return drawIncarnation({ next: () => randomInt(SPAN) / SPAN });
}
