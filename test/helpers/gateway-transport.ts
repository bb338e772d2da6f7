// A Gateway transport that records what the gateway wrote per connection; `replies(conn)` decodes
// what came since the last call.
import type { GatewayTransport } from '../../src/connection/gateway';
import { NEED_MORE, ReplyDecoder, type Reply } from '../../src/wire';

export function recordingTransport(): { transport: GatewayTransport; closed: Set<number>; replies: (conn: number) => Reply[] } {
  const written = new Map<number, Buffer[]>();
  const closed = new Set<number>();
  const decoders = new Map<number, ReplyDecoder>();
  return {
    transport: {
      write: (c, b) => void (written.get(c) ?? written.set(c, []).get(c)!).push(b),
      close: (c) => void closed.add(c),
    },
    closed,
    replies: (c) => {
      const d = decoders.get(c) ?? decoders.set(c, new ReplyDecoder()).get(c)!;
      for (const b of written.get(c) ?? []) d.push(b);
      written.set(c, []);
      const out: Reply[] = [];
      for (let r = d.next(); r !== NEED_MORE; r = d.next()) out.push(r);
      return out;
    },
  };
}
