// `npm run bench`: every benchmark, each printed beside a named peer measured in the same run.
// Figures vary with the machine and its load; ratios against the peer are the stable part.
import { cpus } from 'node:os';
import { benchCluster } from './cluster';
import { benchCompare } from './compare';
import { benchConnectionLayer } from './connection-layer';
import { benchKernel } from './kernel';
import { benchLoad } from './load';
import { benchQueueing } from './queueing';
import { benchResp } from './resp';
import { benchServer } from './server';

const BENCHES: [string, () => Promise<void>][] = [
  ['discrete-event kernel (hold model) vs SimPy 3', benchKernel],
  ['RESP request decoding vs redis-parser', benchResp],
  ['queueing: logic-layer worker pool (M/M/c customers/s) vs SimPy 3 M/M/1', benchQueueing],
  ['protocol comparison (2 protocols x 8 profiles x 1000 messages) vs the bare kernel', benchCompare],
  ['connection layer at scale: 1M idle clients (memory per client), 1 simulated hour of heartbeats vs the bare kernel', benchConnectionLayer],
  ['real server vs redis-server: redis-benchmark PING_MBULK and msg-sync, memory per idle connection', benchServer],
  ['split deployment (2 connection + 2 logic processes) msg/s vs one imsim serve --redis process', benchCluster],
  ['load: 1000 real clients msg/s end to end vs redis-server LPUSH/BRPOP; chaos proxy (wifi) vs direct', benchLoad],
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  console.log(`imsim bench · node ${process.version} · ${cpus().length} cores · ${cpus()[0]?.model ?? '?'}`);
  for (const [name, run] of BENCHES) {
    if (only.length && !only.some((o) => name.includes(o))) continue;
    console.log(`\n== ${name}`);
    const t0 = process.hrtime.bigint();
    await run();
    console.log(`   (${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
