// Polls a condition until it holds, or fails with what was awaited: tests of real processes and
// sockets wait for effects this way instead of sleeping a fixed time.
export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
