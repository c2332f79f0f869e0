"""An open lobby costs next to nothing while nobody touches it, at 12 and 200 members.

The lobby re-reads today every 5 seconds, so teammates' check-ins from their
own terminals appear. Left open on a shared screen for a whole huddle, that
must not keep a core busy: the figure is the CPU the app uses (user + system,
from /proc) over IDLE_S seconds after its first paint, as a share of one
core, target ≤ 0.5%. The bare Textual app's idle CPU, measured the same way
in the same run, is printed beside it (Linux only: /proc).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Sequence

from benchmarks.harness import SHARED, Bench, Demo, Figure

BARE = SHARED / "bench" / "bare_textual.py"
TARGET = 0.5  # percent of one core
IDLE_S = 30.0
SETTLE_S = 6.0  # past the first refresh, so start-up work is not counted as idle


def idle_cpu(cmd: Sequence[str], env: dict[str, str], marker: str, idle_s: float = IDLE_S,
             wait_s: float = 60.0) -> float:
    """Percent of one core `cmd` uses over `idle_s` once `marker` is painted (its output drained)."""
    pid, fd = pty.fork()
    if pid == 0:  # child: an 80×24 terminal
        os.environ.clear()
        os.environ.update({**env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"})
        try:
            os.execvp(cmd[0], list(cmd))
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    try:
        deadline = time.monotonic() + wait_s
        while marker.encode() not in seen:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[0]} never painted {marker!r}")
            seen = (seen + _drain(fd, 0.05))[-65536:]
        _pump(fd, SETTLE_S)
        before = _cpu_s(pid)
        _pump(fd, idle_s)
        return (_cpu_s(pid) - before) / idle_s * 100
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def _drain(fd: int, wait: float) -> bytes:
    """What the app painted within `wait` seconds (b"" when nothing)."""
    if not select.select([fd], [], [], wait)[0]:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:
        return b""


def _pump(fd: int, seconds: float) -> None:
    """Keep reading the terminal for `seconds`, as a terminal does, so the app never blocks on it."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        _drain(fd, 0.2)


def _cpu_s(pid: int) -> float:
    """The process's user + system CPU seconds so far (its threads included)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def figure(bench: Bench, demo: Demo) -> Figure:
    """The lobby's idle CPU on one demo, with the bare app's beside it."""
    marker = "Facilitator: "
    huddle = bench.huddle("--config", str(demo.config))
    # The first run reads the history until the glance's figures show (it keeps what it read, as
    # on a user's machine after the lobby's first opening); the measured one opens as a user's does.
    # "articipation": the glance's line says it whole or folded to one line ("participation") when the
    # roster fills the screen.
    idle_cpu(huddle, bench.env, "articipation", idle_s=1.0, wait_s=600.0)
    lobby = idle_cpu(huddle, bench.env, marker)
    bare = idle_cpu([sys.executable, str(BARE)], bench.env, "BARE-TEXTUAL-READY")
    return Figure(f"idle lobby CPU over {IDLE_S:.0f} s ({demo.size})", lobby, TARGET, unit="% of a core",
                  note=f"bare Textual app: {bare:.2f}%")


def measure(bench: Bench) -> list[Figure]:
    """Idle lobby CPU at 12 × 5 and 200 × 5."""
    return [figure(bench, bench.demo(12, 5)), figure(bench, bench.demo(200, 5))]
