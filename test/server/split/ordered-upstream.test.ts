// A connection has one batch of requests up in the logic layer at a time: the first at once, the
// ones that arrive meanwhile together once it is answered; answers are matched by request number;
// a closed connection's unsent requests are dropped and `closed` goes up last.
import { describe, expect, it } from 'vitest';
import type { Up } from '../../../src/connection/layer-messages';
import { MAX_BATCH, OrderedUpstream } from '../../../src/server/split/ordered-upstream';

const cmd = (conn: number, req: number): Up => ({ k: 'cmd', gw: 1, conn, req, user: 'u', args: ['send', 'b', `c-${req}`, 'x'] });
const closed = (conn: number): Up => ({ k: 'closed', gw: 1, conn, user: 'u' });
const tag = (m: Up) => (m.k === 'closed' ? `${m.conn}:closed` : `${m.conn}:${m.req}`);

function setup() {
  const sent: string[][] = [];
  const o = new OrderedUpstream((batch) => sent.push(batch.map(tag)));
  return { o, sent };
}

describe('OrderedUpstream', () => {
  it('sends what arrived while a batch was handled as the next batch, once all of it was answered', () => {
    const { o, sent } = setup();
    o.up(cmd(1, 0));
    o.up(cmd(1, 1));
    o.up(cmd(1, 2));
    o.up(cmd(2, 0)); // another connection is not held up
    expect(sent).toEqual([['1:0'], ['2:0']]);
    expect(o.backlog).toEqual({ up: 2, waiting: 2 });
    o.answered(1, 0);
    expect(sent).toEqual([['1:0'], ['2:0'], ['1:1', '1:2']]);
    o.up(cmd(1, 3));
    o.answered(1, 1);
    expect(sent).toHaveLength(3); // 2 is still being handled
    o.answered(1, 2);
    expect(sent).toEqual([['1:0'], ['2:0'], ['1:1', '1:2'], ['1:3']]);
    o.answered(1, 3);
    expect(o.backlog).toEqual({ up: 1, waiting: 0 });
  });

  it('ignores an answer to a request not up (a second answer to a redelivered one)', () => {
    const { o, sent } = setup();
    o.up(cmd(1, 0));
    o.up(cmd(1, 1));
    o.answered(1, 0);
    o.answered(1, 0); // again: must not release request 2 while 1 is up
    o.up(cmd(1, 2));
    expect(sent).toEqual([['1:0'], ['1:1']]);
    o.answered(1, 1);
    expect(sent).toEqual([['1:0'], ['1:1'], ['1:2']]);
  });

  it('batches at most MAX_BATCH requests', () => {
    const { o, sent } = setup();
    for (let r = 0; r <= MAX_BATCH + 1; r++) o.up(cmd(1, r));
    o.answered(1, 0);
    expect(sent[1]).toHaveLength(MAX_BATCH);
    for (let r = 1; r <= MAX_BATCH; r++) o.answered(1, r);
    expect(sent[2]).toEqual([`1:${MAX_BATCH + 1}`]);
  });

  it('on close, drops requests not sent yet and sends closed after the batch being handled', () => {
    const { o, sent } = setup();
    o.up(cmd(1, 0));
    o.up(cmd(1, 1));
    o.up(closed(1));
    expect(sent).toEqual([['1:0']]);
    o.answered(1, 0);
    expect(sent).toEqual([['1:0'], ['1:closed']]);
    expect(o.backlog).toEqual({ up: 0, waiting: 0 });
    o.up(closed(3)); // nothing under way: at once
    expect(sent).toEqual([['1:0'], ['1:closed'], ['3:closed']]);
  });

  it('a pull goes up in order with the connection\'s requests, numbered below zero; one waiting is enough; none for a closed connection', () => {
    const ups: Up[][] = [];
    const o = new OrderedUpstream((b) => ups.push(b));
    const tagged = () => ups.map((b) => b.map(tag));
    o.pull(1, 1, 'u', 'pull'); // conn 1 never sent anything: not logged in here, nothing to pull
    expect(ups).toEqual([]);
    o.up(cmd(1, 0));
    o.pull(1, 1, 'u', 'pull');
    o.pull(1, 1, 'u', 'pull'); // a pull is waiting already: it will read this one's messages too
    o.up(cmd(1, 1));
    expect(tagged()).toEqual([['1:0']]);
    o.answered(1, 0);
    expect(tagged()).toEqual([['1:0'], ['1:-1', '1:1']]);
    expect(ups[1][0]).toEqual({ k: 'cmd', gw: 1, conn: 1, req: -1, user: 'u', args: ['pull'] });
    o.pull(1, 1, 'u', 'pull'); // the one up is under way: a new one waits behind it
    o.answered(1, -1);
    o.answered(1, 1);
    expect(tagged()).toEqual([['1:0'], ['1:-1', '1:1'], ['1:-2']]);
    o.up(closed(1));
    o.pull(1, 1, 'u', 'pull'); // closing: nothing more goes up
    o.answered(1, -2);
    expect(tagged()).toEqual([['1:0'], ['1:-1', '1:1'], ['1:-2'], ['1:closed']]);
  });
});
