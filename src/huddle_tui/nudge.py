"""The prompt's nudge, kept: `huddle prompt` answers from one small file while nothing it read changed.

A shell prompt runs `huddle prompt` before every command line, so it must
cost little more than starting Python. The whole answer (the team config,
today's check-ins, who I am, my quiet hours) is worked out by
commands/prompt.py and kept in the user cache dir with what it depends on:
the environment that finds the configs, the stamps of every file and record
folder it was read from (taken before reading, and kept only when settled,
as storage/derived.py does), and the instants between which it holds (the
team's day) and within which it is shown (before the huddle, outside quiet
hours). Checking them is a few dozen lstat calls.

This module is what runs on a warm prompt, so it imports os, sys, marshal and
time and nothing else (datetime only when HUDDLE_NOW, the test suite's clock,
is set): no pathlib, argparse or other huddle module. It never writes,
except `keep`, called by the command that computed the answer.
"""

from __future__ import annotations

import marshal
import os
import sys
import time

TYPE_CHECKING = False  # typing itself costs a warm prompt ~3 ms: its names are for the checker only
if TYPE_CHECKING:
    from typing import Any

FORMAT = 1  # raise when what a kept answer holds changes meaning
ANSWER_NAME = "prompt.marshal"
APP_NAME = "huddle-tui"  # as paths.APP_NAME (tests/test_prompt.py checks the two agree)
RACY_NS = 3_000_000_000  # as storage/stamps.RACY_NS: a stamp younger than this is not trusted later
# What decides which configs are read and where: a change to any of them means computing afresh.
ENV_KEYS = ("HUDDLE_CONFIG", "HUDDLE_CONFIG_DIR", "HUDDLE_DATA_DIR", "HUDDLE_CACHE_DIR", "XDG_CONFIG_HOME",
            "XDG_DATA_HOME", "XDG_CACHE_HOME", "HOME", "TZ")
TEAM_CONFIG_NAME = "huddle.toml"

Stamp = tuple[int, int, int] | None


def cache_dir_text() -> str | None:
    """The user cache dir as paths.cache_dir() gives it, without pathlib (None where platformdirs decides)."""
    forced = os.environ.get("HUDDLE_CACHE_DIR")
    if forced:
        return os.path.expanduser(forced)
    if sys.platform in ("win32", "darwin", "cygwin", "ios", "android"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.environ.get("HOME", "")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, APP_NAME)


def context() -> list[str]:
    """What finds the configs here: the environment's say and a ./huddle.toml in this folder, if any."""
    here = os.path.abspath(TEAM_CONFIG_NAME)
    return [*(os.environ.get(k, "") for k in ENV_KEYS), here if os.path.isfile(here) else ""]


def stamp(path: str) -> Stamp:
    """A file's or folder's (mtime_ns, size, inode), or None when it is missing."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def now() -> float:
    """Seconds since the epoch: the clock, or HUDDLE_NOW (as model/teamday.now reads it)."""
    forced = os.environ.get("HUDDLE_NOW")
    if not forced:
        return time.time()
    from datetime import datetime

    return datetime.fromisoformat(forced).timestamp()


def kept_segment() -> str | None:
    """The segment to print now from the kept answer ("" for nothing), or None when it must be computed."""
    folder = cache_dir_text()
    if folder is None:
        return None
    try:
        with open(os.path.join(folder, ANSWER_NAME), "rb") as f:
            kept = marshal.load(f)
        if kept["format"] != FORMAT or kept["context"] != context():
            return None
        for path, was in zip(kept["paths"], kept["stamps"], strict=True):
            if stamp(path) != was:
                return None
        moment = now()
        if not kept["from"] <= moment < kept["until"]:
            return None
        shown = any(start <= moment < end for start, end in kept["show"])
        return str(kept["text"]) if shown else ""
    except (OSError, EOFError, ValueError, TypeError, KeyError):  # none, damaged or of another version
        return None


def settled(stamps: list[Stamp], seen_ns: int) -> bool:
    """Whether every stamp was old enough when taken that a change in the same clock tick would show."""
    return all(s is None or seen_ns - s[0] > RACY_NS for s in stamps)


def keep(answer: dict[str, Any]) -> None:
    """Write the answer for later prompts, atomically and for this user only (a failure costs time only)."""
    folder = cache_dir_text()
    if folder is None:
        return
    target = os.path.join(folder, ANSWER_NAME)
    tmp = f"{target}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(marshal.dumps({"format": FORMAT, **answer}))
        os.replace(tmp, target)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass
