# Runs a program in a pseudo-terminal, as a person at a terminal would: for each step it types the
# step's text, then waits until the output since that keystroke contains the step's expected
# text. Answers linenoise's cursor-position query (ESC [6n) as a terminal does. Prints everything
# the program wrote (raw bytes) on stdout and exits with the program's exit status, or with 124
# (and the transcript so far) when an expected text did not come within the time limit.
#
# usage: python3 pty-drive.py '<json steps: [{"send": "ping\n", "expect": "> "}, ...]>' prog args...
import json
import os
import pty
import select
import signal
import struct
import sys
import time

try:
    import fcntl
    import termios
except ImportError:  # not a POSIX system
    sys.exit("pty-drive needs a POSIX system")

STEP_LIMIT_S = 8.0
steps = json.loads(sys.argv[1])
argv = sys.argv[2:]

pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
transcript = bytearray()


def read_some(timeout):
    """Reads what is there within `timeout` s; returns b'' at end of output (the program closed the terminal)."""
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return None
    try:
        data = os.read(fd, 65536)
    except OSError:  # EIO: the child is gone
        return b""
    if b"\x1b[6n" in data:
        os.write(fd, b"\x1b[1;1R")
    transcript.extend(data)
    return data


def give_up():
    sys.stdout.buffer.write(bytes(transcript))
    sys.stdout.flush()
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sys.exit(124)


for step in steps:
    mark = len(transcript)
    if step.get("send"):
        os.write(fd, step["send"].encode())
    want = step.get("expect", "").encode()
    deadline = time.monotonic() + STEP_LIMIT_S
    while want not in transcript[mark:]:
        left = deadline - time.monotonic()
        if left <= 0:
            give_up()
        got = read_some(left)
        if got == b"":
            give_up()

# then read until the program ends
deadline = time.monotonic() + STEP_LIMIT_S
while True:
    left = deadline - time.monotonic()
    if left <= 0:
        give_up()
    if read_some(left) == b"":
        break
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(bytes(transcript))
sys.stdout.flush()
sys.exit(os.waitstatus_to_exitcode(status) if status else 0)
