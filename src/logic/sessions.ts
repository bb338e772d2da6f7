// Who is online where: the logic layer's session table (user -> live connections).
import type { ProtocolName } from '../protocol/messages';
import type { Session } from '../protocol/server-half';

export class SessionTable {
  private readonly byConn = new Map<string, Session>();
  private readonly byUser = new Map<string, Set<Session>>();

  static key(gw: number, conn: number): string {
    return `${gw}:${conn}`;
  }

  /** A session for a connection this table does not hold (logged in through another logic process). */
  static detached(gw: number, conn: number, user: string): Session {
    return { key: SessionTable.key(gw, conn), gw, conn, user, inflight: new Set(), loading: false, cursor: 0 };
  }

  open(gw: number, conn: number, user: string, _protocol: ProtocolName): Session {
    this.close(gw, conn);
    const s = SessionTable.detached(gw, conn, user);
    const key = s.key;
    this.byConn.set(key, s);
    let set = this.byUser.get(user);
    if (!set) this.byUser.set(user, (set = new Set()));
    set.add(s);
    return s;
  }

  close(gw: number, conn: number): Session | undefined {
    const key = SessionTable.key(gw, conn);
    const s = this.byConn.get(key);
    if (!s) return undefined;
    this.byConn.delete(key);
    const set = this.byUser.get(s.user);
    set?.delete(s);
    if (set && set.size === 0) this.byUser.delete(s.user);
    return s;
  }

  get(gw: number, conn: number): Session | undefined {
    return this.byConn.get(SessionTable.key(gw, conn));
  }

  of(user: string): Iterable<Session> {
    return this.byUser.get(user) ?? [];
  }

  get size(): number {
    return this.byConn.size;
  }
}
