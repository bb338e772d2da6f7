// What the connection layer and the logic layer say to each other over the async queue.
// Plain data: in one process they pass through a FIFO, across processes through Redis.
import type { Reply } from '../wire';

export type Up =
  | { k: 'login'; gw: number; conn: number; req: number; user: string; token: string }
  | { k: 'cmd'; gw: number; conn: number; req: number; user: string; args: string[] }
  | { k: 'closed'; gw: number; conn: number; user: string };

export type Down =
  | { k: 'login'; conn: number; req: number; user: string; ok: boolean }
  | { k: 'reply'; conn: number; req: number; reply: Reply }
  /** `user`: whom the push is for, so a connection process that no longer has `conn` can drop a stale route to it. */
  | { k: 'push'; conn: number; user?: string; items: string[] };
