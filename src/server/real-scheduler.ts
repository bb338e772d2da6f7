// The Scheduler port on real time: a monotonic clock in microseconds, setImmediate for zero
// delays (setTimeout would round them up to a millisecond) and setTimeout otherwise.
import type { Scheduler, TimerId } from '../ports';

export function realScheduler(): Scheduler & { readonly active: number } {
  const handles = new Map<TimerId, { immediate: boolean; h: NodeJS.Immediate | NodeJS.Timeout }>();
  let next = 1;
  const origin = process.hrtime.bigint();
  return {
    now: () => Number((process.hrtime.bigint() - origin) / 1000n),
    setTimer(delayUs, fn) {
      const id = next++;
      const run = () => {
        handles.delete(id);
        fn();
      };
      if (delayUs <= 0) handles.set(id, { immediate: true, h: setImmediate(run) });
      else handles.set(id, { immediate: false, h: setTimeout(run, Math.ceil(delayUs / 1000)) });
      return id;
    },
    clearTimer(id) {
      const t = handles.get(id);
      if (!t) return;
      handles.delete(id);
      if (t.immediate) clearImmediate(t.h as NodeJS.Immediate);
      else clearTimeout(t.h as NodeJS.Timeout);
    },
    get active() {
      return handles.size;
    },
  };
}
