"""Runs a command on a pty of its own, its input arriving DELAY seconds late (default 0.1): an ssh link.

What the command asks of the terminal and waits for (Lanterna's cursor-position report) then costs a
round trip each, as it does over ssh. Output passes at once. Used by bench/tui-first-frame.sh.
"""
import fcntl
import os
import pty
import select
import sys
import termios
import time
import tty

delay = float(os.environ.get("DELAY", "0.1"))
pid, child = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
fcntl.ioctl(child, termios.TIOCSWINSZ, fcntl.ioctl(0, termios.TIOCGWINSZ, b"\0" * 8))
saved = termios.tcgetattr(0)
tty.setraw(0)
late = []  # (when, bytes) typed, in order
try:
    while True:
        wait = max(0.0, late[0][0] - time.time()) if late else None
        ready, _, _ = select.select([0, child], [], [], wait)
        now = time.time()
        while late and late[0][0] <= now:
            os.write(child, late.pop(0)[1])
        if child in ready:
            try:
                out = os.read(child, 65536)
            except OSError:
                break
            if not out:
                break
            os.write(1, out)
        if 0 in ready:
            typed = os.read(0, 65536)
            if typed:
                late.append((now + delay, typed))
finally:
    termios.tcsetattr(0, termios.TCSADRAIN, saved)
