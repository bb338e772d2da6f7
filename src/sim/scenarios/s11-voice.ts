// S11: a voice message in band vs over HTTP. alice on EDGE (200 kbit/s up) records a 60 KB voice
// message and then types three short texts. In band, the voice frame goes down the long
// connection and the texts queue behind it (TCP is one ordered stream: head-of-line blocking).
// Over a separate connection (the deck: "图片、语音等都可以开新的TCP或HTTP连接"), the upload shares
// the radio but not the stream, and the texts pass it; only a short reference travels in band.
import { msgKey } from '../../protocol/messages';
import { World } from '../world';
import { check, result, type Scenario, type ScenarioOptions, type ScenarioResult } from './result';

const S = 1_000_000;
const VOICE_BYTES = 60_000;

function textLatenciesMs(world: World, sentAt: Map<string, number>): number[] {
  return [...sentAt].map(([key, t]) => {
    const e = world.ledger.log.find((x) => x.key === key);
    return e ? (e.t - t) / 1000 : NaN;
  });
}

function run(o: ScenarioOptions, overHttp: boolean) {
  const world = new World({ protocol: o.protocol, seed: o.seed ?? 1, traceSink: o.traceSink });
  const alice = world.addClient('alice', {}, { profile: o.profile ?? 'edge' });
  world.addClient('bob', {}, { profile: 'wifi' }).start();
  alice.start();
  world.runFor(5 * S);
  const sentAt = new Map<string, number>();
  const text = (i: number) => {
    const cmid = world.send('alice', 'bob', `text ${i}`);
    sentAt.set(msgKey('alice', cmid), world.now);
  };
  let uploadDone = NaN;
  if (overHttp) {
    // A second TCP connection from alice's device to the media server; the message carries a reference.
    const link = world.link('alice');
    let got = 0;
    const upload = link.open({
      toServer: (b) => {
        got += b.length;
        if (got >= VOICE_BYTES && Number.isNaN(uploadDone)) {
          uploadDone = world.now;
          world.send('alice', 'bob', '[voice 60 KB] media/v1');
        }
      },
      toClient: () => {}, serverClosed: () => {}, clientClosed: () => {},
    });
    link.connect(() => {}, () => upload.clientWrite(new Uint8Array(VOICE_BYTES)), () => {});
  } else {
    world.send('alice', 'bob', 'v'.repeat(VOICE_BYTES));
  }
  for (let i = 1; i <= 3; i++) world.kernel.schedule(i * 100_000, () => text(i));
  world.runFor(60 * S);
  return { world, texts: textLatenciesMs(world, sentAt), uploadDone };
}

export const s11Voice: Scenario = {
  about: 'a 60 KB voice message then 3 texts from alice on edge: in band vs over a separate (HTTP) connection',
  outcome: 'in band the texts wait behind the voice frame (head-of-line); over HTTP they pass it',
  async run(o) {
    const inBand = run(o, false);
    const http = run(o, true);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const rows: ScenarioResult['rows'] = [
      { voice: 'in band', 'text latency p50 (ms)': med(inBand.texts), 'text latency max (ms)': Math.max(...inBand.texts) },
      { voice: 'over HTTP', 'text latency p50 (ms)': med(http.texts), 'text latency max (ms)': Math.max(...http.texts) },
    ];
    const gapMs = med(inBand.texts) - med(http.texts);
    return result('s11-voice', o, [{ label: 'voice in band', world: inBand.world }, { label: 'voice over HTTP', world: http.world }], [
      check('texts wait behind an in-band voice frame', gapMs > 1500, `median text latency ${med(inBand.texts).toFixed(0)} ms in band vs ${med(http.texts).toFixed(0)} ms over HTTP`),
      check('everything arrives', inBand.world.ledger.summary().lost === 0 && http.world.ledger.summary().lost === 0 && http.texts.every(Number.isFinite), 'both ways'),
    ], rows);
  },
};
