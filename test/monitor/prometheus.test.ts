import { describe, expect, it } from 'vitest';
import { Monitor, prometheusRegistry } from '../../src/monitor';

describe('prometheusRegistry', () => {
  it('exposes the deck\'s metrics as counters and gauges with labels, read at scrape time', async () => {
    const m = new Monitor();
    const reg = prometheusRegistry(m, { labels: { role: 'connection' } });
    m.cmd(0, 0, 5);
    m.cmd(0, 1, 2);
    m.htime(0, 1);
    m.cmdq(0, 1, 3);
    m.session(0, 0, 'android', null, 'iop-ses');
    m.session(0, 0, 'android', 'iop-ses', 'session');
    m.message(0, 'text');
    let text = await reg.metrics();
    expect(text).toContain('# TYPE imsim_cmd_total counter');
    expect(text).toContain('imsim_cmd_total{server="0",role="connection"} 5');
    expect(text).toContain('imsim_cmd_total{server="1",role="connection"} 2');
    expect(text).toContain('imsim_htime_total{server="1",role="connection"} 1');
    expect(text).toContain('imsim_cmdq{server="1",role="connection"} 3');
    expect(text).toContain('imsim_sessions{server="0",phase="session",role="connection"} 1');
    expect(text).toContain('imsim_sessions_by_platform{server="0",platform="android",role="connection"} 1');
    expect(text).toContain('imsim_messages_total{kind="text",role="connection"} 1');
    m.cmd(1, 0, 1); // a second scrape sees the new totals, not a sum of scrapes
    text = await reg.metrics();
    expect(text).toContain('imsim_cmd_total{server="0",role="connection"} 6');
    expect(reg.contentType).toContain('text/plain');
  });
});
