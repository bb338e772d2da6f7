// The full protocol comparison (2 protocols x 8 profiles x 1000 messages, with resets, half-open
// cuts and outages) and how fast the simulator runs it, beside the bare kernel's rate on the
// same machine in the same run (the peer here is our own kernel: what the protocol code costs).
import { compareProtocols } from '../src/sim/compare';
import { holdKernel } from './kernel';

export async function benchCompare(): Promise<void> {
  const t0 = process.hrtime.bigint();
  const rows = compareProtocols({ messages: 1000, seed: 1 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const events = rows.reduce((a, r) => a + r.events, 0);
  const rate = events / secs;
  const kernelRate = holdKernel(1_000, 200_000, 2_000_000);
  console.log(`compare: ${rows.length} runs (2 protocols x ${rows.length / 2} profiles x 1000 messages), ${events} events in ${secs.toFixed(2)} s`);
  console.log(`compare: ${(rate / 1e6).toFixed(2)} M events/s with the protocol code; bare kernel (hold, 10^3 pending) ${(kernelRate / 1e6).toFixed(2)} M events/s; ratio ${(rate / kernelRate).toFixed(2)}x`);
}
