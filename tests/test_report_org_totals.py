"""The org report of a team whose anonymous answers go only to its totals, beside a team of records.

"platform" (five members, each on their own machine) answers anonymously:
its moods and signposts exist only inside the day's masked contributions,
which reach the server like any record; "design" checks in by name. The
org report counts platform's anonymous moods and signposts from the day's
opened totals (a distribution from 5 answers, signposts from 3), never from
records: a forged anonymous check-in and signpost mark in platform's folder
count nowhere; and before the day opens, platform adds no anonymous figure
at all. The same over the folder store and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from huddle_tui.model.ids import random_id
from huddle_tui.server.app import create_app
from huddle_tui.server.store import FolderRecords, RecordStore
from huddle_tui.server.tokens import TokenBook, add_token
from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import encode
from tests.conftest import cli
from tests.http_helpers import LiveServer
from tests.pg_helpers import database_url, postgres_server
from tests.test_report_org import endpoint
from tests.totalskit import DAY, NAMES, Homes

__all__ = ["database_url", "postgres_server"]  # fixtures, used by name

ISO = DAY.isoformat()


@pytest.fixture(params=["folder", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RecordStore]:
    """The server's store: a folder, or a fresh PostgreSQL database (skipped, with why, without one)."""
    if request.param == "folder":
        (tmp_path / "server").mkdir()
        made: RecordStore = FolderRecords(tmp_path / "server", durable=False)
    else:
        from huddle_tui.server.pgstore import PostgresRecords

        made = PostgresRecords(request.getfixturevalue("database_url"), min_size=1, max_size=2)
    yield made
    made.close()


def send(store: RecordStore, team: str, homes: Homes) -> None:
    """Every record of the team's folder to the server as a PUT would store it: checked, then kept.

    Keys first, as each machine's first sync sends them; a version already
    there is a replay (nothing changes).
    """
    records = [(envelope.decode(p.read_bytes()), p.read_bytes()) for p in homes.files()]
    records.sort(key=lambda pair: (pair[0].kind != "key", pair[0].written_at))
    for record, data in records:
        if store.held(team, record.id, record.version) is None:
            assert store.check(team, record) is None, record.kind
            store.put(team, record, data)


def openings(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """From now on, the days each store opens for the org report (the server runs in this process)."""
    import sys

    seen: list[list[str]] = []
    for name in ("huddle_tui.server.store", "huddle_tui.server.pgstore"):
        module = sys.modules.get(name)
        if module is None:
            continue
        real = module.open_days

        def counted(*args: Any, real: Any = real, **options: Any) -> Any:
            """Note the days asked for, then open them."""
            seen.append(list(args[3]))
            return real(*args, **options)

        monkeypatch.setattr(module, "open_days", counted)
    return seen


def figures(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    """`huddle report --endpoint hq --org --json` over DAY's week."""
    code, out, err = cli(capsys, "report", "--endpoint", "hq", "--org", "--json", "--since", ISO,
                         "--until", ISO)
    assert code == 0, err
    found: dict[str, object] = json.loads(out)
    return found


def test_a_team_of_totals_counts_its_opened_totals_and_never_its_anonymous_records(
        store: RecordStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Platform's moods 1, 2, 2, 4, 5 and three signposts count once the day opened; design's as ever."""
    homes = Homes(tmp_path / "platform", monkeypatch)
    homes.keys_ahead()
    for name, mood in zip(NAMES, (1, 2, 2, 4, 5), strict=True):
        homes.check_in(name, "anonymous", mood, signposted=name in ("Ana", "Ben", "Chen"))
    send(store, "platform", homes)
    for i, mood in enumerate((3, 4, 4, 5)):
        record, data = encode("checkin", random_id(), 1, ISO, f"{ISO}T09:00:00+00:00",
                              {"mood": mood, "status": "", "concerns": [], "visibility": "team",
                               "source": "cli", "member": f"d{i}"})
        assert store.check("design", record) is None
        store.put("design", record, data)
    # Records in platform's folder no member of a team of totals writes: forged, written straight in.
    forged = [encode("checkin", random_id(), 1, ISO, ISO, {"mood": 5, "status": "", "concerns": [],
                                                           "visibility": "anonymous", "source": "cli"}),
              encode("signpost", random_id(), 1, ISO, ISO, {})]
    for record, data in forged:
        store.put("platform", record, data)

    tokens = tmp_path / "tokens"
    org, _ = add_token(tokens, None)
    server = LiveServer(create_app(store, TokenBook((), tokens), today=lambda: homes.team.next_workday(DAY)))
    server.start()
    try:
        endpoint(monkeypatch, server.url, org)
        report = figures(capsys)
        teams = report["teams"]
        assert isinstance(teams, dict)
        platform, design = teams["platform"], teams["design"]
        assert (platform["participants"], platform["checkins"]) == (5, 5)  # the placeholders
        assert platform["mood_distribution"] == {m: 0 for m in "12345"}  # the day has not opened
        assert platform["signposts"] == 0
        assert design["mood_distribution"] == {"1": 0, "2": 0, "3": 1, "4": 2, "5": 1}

        homes.morning_after()
        send(store, "platform", homes)
        report = figures(capsys)
        teams = report["teams"]
        assert isinstance(teams, dict)
        platform = teams["platform"]
        assert platform["mood_distribution"] == {"1": 1, "2": 2, "3": 0, "4": 1, "5": 1}
        assert (platform["participants"], platform["checkins"], platform["signposts"]) == (5, 5, 3)
        assert report["org"] == {"participants": 9, "checkins": 9,
                                 "weekly_coverage": {"weeks_with_3_or_more": 2, "weeks": 1},
                                 "mood_distribution": {"1": 1, "2": 2, "3": 1, "4": 3, "5": 2},
                                 "signposts": 3}

        opened = openings(monkeypatch)  # the next report opens nothing again: the day is kept as it opened
        assert figures(capsys) == report and opened == []
    finally:
        server.stop()
