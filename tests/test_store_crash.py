"""A writer killed at random moments: what it acknowledged survives, nothing partial is read."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from huddle_tui.config.team import TeamConfig
from huddle_tui.model.ids import named_id
from huddle_tui.storage.fileio import is_own_temp
from tests.conftest import run_huddle
from tests.storekit import record_files, store_at

KILLS = 110
LINES = 60  # more than a writer gets through before its kill
START = date(2025, 3, 3)


def _lines(team: TeamConfig, first: int) -> tuple[list[str], int]:
    """Check-ins for one writer: new (member, date) pairs, every fourth one a re-check-in (version 2+)."""
    names = [m.name for m in team.members]
    out, n = [], first
    for i in range(LINES):
        if i % 4 == 3:
            pair = n - 1
        else:
            pair, n = n, n + 1
        member, day = names[pair % len(names)], START + timedelta(days=pair // len(names))
        out.append(json.dumps({"member": member, "date": day.isoformat(), "mood": 1 + i % 5,
                               "status": f"line {i} of writer starting at {first}"}) + "\n")
    return out, n


def _kill_mid_writes(env: dict[str, str], lines: list[str], rng: random.Random) -> list[dict[str, object]]:
    """Start a writer, wait for its first acknowledgement, kill it a random moment later; return its acks."""
    proc = subprocess.Popen([sys.executable, "-m", "huddle_tui", "checkin", "--from-json", "-", "--json"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("".join(lines).encode())
    proc.stdin.close()
    first = proc.stdout.readline()
    time.sleep(rng.uniform(0, 0.04))
    proc.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no cleanup runs either way
    rest = proc.stdout.read()
    proc.wait()
    acks = [json.loads(line) for line in (first + rest).decode().splitlines() if line.strip()]
    return [a for a in acks if a.get("saved")]


def test_killed_writers_keep_every_acknowledged_checkin(team: TeamConfig, tmp_path: Path) -> None:
    """110 kills: each acknowledged version is read back, no torn record, temp files skipped then cleaned."""
    assert team.path is not None
    env = {**os.environ, "HUDDLE_CONFIG": str(team.path), "PYTHONUNBUFFERED": "1"}
    rng = random.Random(3)
    store = store_at(team.shared_dir, tmp_path / "index")
    acked: dict[str, int] = {}
    sent: set[str] = set()
    n = 0
    for _ in range(KILLS):
        lines, n = _lines(team, n)
        for line in lines:
            obj = json.loads(line)
            sent.add(named_id("checkin", obj["member"], obj["date"]))
        for ack in _kill_mid_writes(env, lines, rng):
            rid, version = str(ack["id"]), int(str(ack["version"]))
            acked[rid] = max(acked.get(rid, 0), version)
        history = store.read()
        assert history.problems == []  # nothing half-written under a record's name
        assert set(history.records) <= sent  # no phantom
        missing = {rid for rid, v in acked.items()
                   if rid not in history.records or history.records[rid].version < v}
        assert not missing
    temps = [p for p in store.read().temp_files if is_own_temp(p.name)]
    assert temps, "no kill landed mid-write: the test did not exercise a crash"
    _doctor_fix_removes_only_old_own_temp_files(team, temps)
    history = store_at(team.shared_dir).read()
    assert all(rid in history.records and history.records[rid].version >= v for rid, v in acked.items())


def _doctor_fix_removes_only_old_own_temp_files(team: TeamConfig, temps: list[Path]) -> None:
    """`huddle doctor --fix` removes our temp files once old, never a fresh one, a sync tool's or a record."""
    env = {"HUDDLE_CONFIG": str(team.path)}
    month = temps[0].parent
    foreign = [month / ".syncthing.x.json.tmp", month / "~syncthing~y.json.tmp"]
    for path in foreign:
        path.write_bytes(b"{")
    records_before = record_files(team.shared_dir)
    # Each file's age is set, not left to how long the kills took (on a loaded machine, longer than
    # the 60 s after which doctor calls a temp file old): dated a day ahead, it is young at any run.
    young = time.time() + 86_400
    for path in temps:
        os.utime(path, (young, young))
    fresh = run_huddle("doctor", "--fix", "--json", env=env)
    assert fresh.returncode == 0, fresh.stderr
    assert json.loads(fresh.stdout)["removed_temp_files"] == 0  # too young: maybe still being written
    old = time.time() - 600
    for path in [*temps[1:], *foreign]:
        os.utime(path, (old, old))
    fixed = run_huddle("doctor", "--fix", "--json", env=env)
    report = json.loads(fixed.stdout)
    assert fixed.returncode == 0 and report["removed_temp_files"] == len(temps) - 1
    assert temps[0].exists() and all(p.exists() for p in foreign)
    assert not any(p.exists() for p in temps[1:])
    assert record_files(team.shared_dir) == records_before
    assert report["corrupt"] == 0
