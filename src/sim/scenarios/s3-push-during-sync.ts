// S3: pushes that arrive while a sync is under way. On a slow link with small pages, alice's
// bursts make msg-psh frames land in the middle of bob's msg-sync exchanges. The correct client
// remembers them and syncs once more; a naive client that moves its cursor to the pushed version
// skips whatever the server stored after it read the page. The naive client stays here as a
// regression oracle: the ledger must catch its losses, or the ledger is broken.
import { check, result, type LabelledWorld, type Scenario, type ScenarioResult } from './result';
import { runWorkload } from './workload';

export const s3PushDuringSync: Scenario = {
  about: 'pushes arriving during a sync on a slow link (edge, pages of 5); correct vs naive client',
  outcome: 'correct client: nothing skipped; the naive client (cursor moved on push) skips messages and the ledger shows it',
  async run(o) {
    const base = {
      protocol: o.protocol, seed: o.seed, profile: o.profile ?? 'edge', messages: o.messages ?? 120, meanGapMs: 250,
      world: { pageSize: 5, traceSink: o.traceSink }, limitUs: 30 * 60_000_000,
    };
    const correct = runWorkload(base);
    const rows: ScenarioResult['rows'] = [];
    const dc = correct.ledger.summary();
    rows.push({ client: 'correct', delivered: dc.unique, lost: dc.lost, duplicates: dc.duplicates });
    const worlds: LabelledWorld[] = [{ label: 'correct client', world: correct }];
    const checks = [check('correct client loses nothing', dc.lost === 0 && dc.duplicates === 0, `${dc.unique} delivered, ${dc.lost} lost`)];
    if (o.protocol === 'versioned') {
      const naive = runWorkload({ ...base, receiver: { versioned: { pageSize: 5, naiveCursorOnPush: true } } });
      worlds.push({ label: 'naive client', world: naive });
      const dn = naive.ledger.summary();
      rows.push({ client: 'naive (cursor on push)', delivered: dn.unique, lost: dn.lost, duplicates: dn.duplicates });
      checks.push(check('naive client skips, and the ledger sees it', dn.lost > 0, `${dn.lost} acknowledged messages never shown`));
    }
    return result('s3-push-during-sync', o, worlds, checks, rows);
  },
};
