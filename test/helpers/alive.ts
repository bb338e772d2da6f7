// Whether a process we started still runs (signal 0 checks without killing): tests assert that every
// process they started is gone when they end.
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
