"""Eight writers at once into one shared folder: every check-in read back exactly once."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from huddle_tui.config.team import TeamConfig, load_team_config
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn
from huddle_tui.model.ids import named_id
from tests.storekit import record_files, store_at

PROCESSES, EACH = 8, 250
CLI_PROCESSES = 4  # the others are worker processes calling the Journal directly
START = date(2026, 1, 5)


def plan(team: TeamConfig, p: int) -> list[tuple[str, str, int]]:
    """Process p's check-ins: (member, date, mood), no two processes sharing a (member, date).

    All processes walk the same working days at the same pace, so they write
    into the same month folders at the same moments.
    """
    member = team.members[p % len(team.members)].name
    offset = (p // len(team.members)) * EACH
    workdays = [d for d in (START + timedelta(days=k) for k in range(2 * EACH * 2)) if d.weekday() < 5]
    return [(member, workdays[offset + i].isoformat(), 1 + (p + i) % 5) for i in range(EACH)]


def _worker(config: str, jobs: list[tuple[str, str, int]], ready: object, go: object) -> None:
    """Save check-ins through the Journal, as the app does, once every writer is ready."""
    journal = Journal(load_team_config(Path(config)))
    ready.put(True)  # type: ignore[attr-defined]
    go.wait()  # type: ignore[attr-defined]
    for member, day, mood in jobs:
        journal.save_checkin(CheckIn(date=day, mood=mood, member=member, status=f"{member} {day}",
                                     concerns=(), visibility="team", source="cli"))


def test_eight_writers_lose_and_duplicate_nothing(team: TeamConfig) -> None:
    """8 processes × 250 check-ins (4 of them real `huddle checkin`): 2,000 read back, once each."""
    assert team.path is not None
    env = {**os.environ, "HUDDLE_CONFIG": str(team.path)}
    jobs = [plan(team, p) for p in range(PROCESSES)]
    ctx = multiprocessing.get_context("spawn")  # the same on every platform
    ready, go = ctx.Queue(), ctx.Event()
    workers = [ctx.Process(target=_worker, args=(str(team.path), jobs[p], ready, go))
               for p in range(CLI_PROCESSES, PROCESSES)]
    for w in workers:
        w.start()
    for _ in workers:
        ready.get(timeout=120)
    clis = []
    for p in range(CLI_PROCESSES):
        lines = "".join(json.dumps({"member": m, "date": d, "mood": mood, "status": f"{m} {d}"}) + "\n"
                        for m, d, mood in jobs[p])
        proc = subprocess.Popen([sys.executable, "-m", "huddle_tui", "checkin", "--from-json", "-", "--json"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)
        clis.append((proc, lines))
    go.set()
    outputs = [proc.communicate(lines, timeout=300) for proc, lines in clis]
    for w in workers:
        w.join(timeout=300)
        assert w.exitcode == 0
    for (proc, _), (out, err) in zip(clis, outputs, strict=True):
        assert proc.returncode == 0, err
        acks = [json.loads(line) for line in out.splitlines()]
        assert len(acks) == EACH and all(a["saved"] and a["version"] == 1 for a in acks)

    expected = {named_id("checkin", m, d): (m, d, mood) for job in jobs for m, d, mood in job}
    assert len(expected) == PROCESSES * EACH
    history = store_at(team.shared_dir).read()
    assert not history.problems and not history.temp_files
    got = {rid: (r.payload["member"], r.date, r.payload["mood"]) for rid, r in history.records.items()}
    assert got == expected  # none lost, none extra
    files = Counter(p.name.split(".")[0] for p in record_files(team.shared_dir / "records"))
    assert len(files) == PROCESSES * EACH and set(files.values()) == {1}  # one file each: no duplicate
