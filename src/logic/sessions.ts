// Who is online where: the logic layer's session table (user -> live connections).
import type { ProtocolName } from '../protocol/messages';
import type { Session } from '../protocol/server-half';

export class SessionTable {
  private readonly byConn = new Map<string, Session>();
  private readonly byUser = new Map<string, Set<Session>>();

  static key(gw: number, conn: number): string {
    return `${gw}:${conn}`;
  }

  open(gw: number, conn: number, user: string, _protocol: ProtocolName): Session {
    const key = SessionTable.key(gw, conn);
    this.close(gw, conn);
    const s: Session = { key, gw, conn, user, inflight: new Set(), loading: false, cursor: 0 };
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
