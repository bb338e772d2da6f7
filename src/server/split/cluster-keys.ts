// The Redis keys of a split deployment (connection processes and logic processes sharing one
// Redis), beside the mailboxes of redis-store.ts. docs/cluster.md draws them. For prefix `imsim:`:
//
//   imsim:up                  Stream: the async queue, connection layer -> logic layer (group "logic")
//   imsim:gw:seq              INCR: the id of each connection-process incarnation (never reused)
//   imsim:gw:<id>:alive       lease of connection process <id> (expires unless renewed)
//   imsim:gw:<id>:down        List: replies and pushes for connection process <id> only
//   imsim:logic:seq           INCR: the number in each logic process's consumer name
//   imsim:logic:<name>:alive  lease of logic process <name>
//   imsim:{bob}:route         Hash: "<gw>:<conn>" -> "<gw>" for each of bob's logged-in connections
//                             (bob's hash tag, as his mailbox keys)
import { DEFAULT_PREFIX, tag } from '../redis-store';

export class ClusterKeys {
  readonly up: string;
  readonly group = 'logic';
  readonly gwSeq: string;
  readonly logicSeq: string;

  constructor(readonly prefix: string = DEFAULT_PREFIX) {
    this.up = `${prefix}up`;
    this.gwSeq = `${prefix}gw:seq`;
    this.logicSeq = `${prefix}logic:seq`;
  }

  gwAlive(gw: number): string {
    return `${this.prefix}gw:${gw}:alive`;
  }

  gwDown(gw: number): string {
    return `${this.prefix}gw:${gw}:down`;
  }

  logicAlive(name: string): string {
    return `${this.prefix}logic:${name}:alive`;
  }

  route(user: string): string {
    return `${this.prefix}{${tag(user)}}:route`;
  }
}

/** Route field of one connection: `<gw>:<conn>`. */
export const routeField = (gw: number, conn: number): string => `${gw}:${conn}`;

export function parseRouteField(field: string): { gw: number; conn: number } | null {
  const m = /^(\d+):(\d+)$/.exec(field);
  return m ? { gw: Number(m[1]), conn: Number(m[2]) } : null;
}
