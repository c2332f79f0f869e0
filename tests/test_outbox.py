"""The outbox: filled in the same step as the local save, never with private records."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from huddle_tui import paths
from huddle_tui.config.team import TeamConfig
from huddle_tui.errors import RefusedError
from huddle_tui.sync.outbox import DEAD, PENDING, Outbox
from tests.conftest import run_huddle
from tests.http_helpers import make_records, records_endpoint, with_endpoints

SECRET_WORRY = "PRIVATE-WORRY-about-my-health"


def outbox_bytes() -> bytes:
    """Every byte the outbox keeps on disk (database, WAL and shared-memory files)."""
    return b"".join(p.read_bytes() for p in paths.outbox_file().parent.glob("outbox.sqlite3*"))


def test_a_checkin_enters_the_outbox_when_it_is_saved_and_private_parts_never_do(team: TeamConfig) -> None:
    """`huddle checkin` returns with its shared records queued; a private concern is nowhere in the outbox."""
    team = with_endpoints(team, records_endpoint("http://127.0.0.1:9"))
    env = {"HUDDLE_CONFIG": str(team.path)}
    result = run_huddle("checkin", "--member", "Ana", "--mood", "4", "--status", "fine",
                        "--concern", "the build is slow", "--json", env=env)
    assert result.returncode == 0, result.stderr
    private = run_huddle("checkin", "--member", "Ben", "--mood", "2", "--private",
                         "--concern", SECRET_WORRY, env=env)
    assert private.returncode == 0, private.stderr
    with Outbox() as outbox:
        items = outbox.items()
    assert [(i.label.split()[0], i.state) for i in items] == [("checkin", PENDING)] * 2
    assert b"the build is slow" in items[0].body
    assert b'"visibility":"withheld"' in items[1].body  # Ben's placeholder: who, never what
    assert SECRET_WORRY.encode() not in outbox_bytes()


def test_the_outbox_refuses_a_private_record_whoever_hands_it_over(tmp_path: Path) -> None:
    """A second line of defence behind the journal's split."""
    record = make_records(tmp_path / "x", 1)[0]
    private = record._replace(payload={**record.payload, "visibility": "private"})
    with Outbox() as outbox, pytest.raises(RefusedError, match="private"):
        outbox.add_record("api", private)


def test_the_outbox_is_sqlite_in_wal_mode_in_the_user_data_dir(tmp_path: Path) -> None:
    """WAL on local disk; items survive reopening; the same key is queued once."""
    record = make_records(tmp_path / "x", 1)[0]
    with Outbox() as outbox:
        assert outbox.add_record("api", record) is True
        assert outbox.add_record("api", record) is False
    assert paths.outbox_file().parent == paths.data_dir()
    with sqlite3.connect(paths.outbox_file()) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Outbox() as outbox:
        (item,) = outbox.items()
        outbox.mark_dead(item, "HTTP 422: refused")
        assert outbox.status()[0].dead == 1
        assert outbox.retry_dead() == 1
        assert [i.state for i in outbox.items()] == [PENDING]
        assert DEAD not in {i.state for i in outbox.items()}


def test_status_still_shows_items_of_an_endpoint_no_longer_configured(team: TeamConfig,
                                                                      tmp_path: Path) -> None:
    """Nothing hides: queued items of a removed endpoint are listed by `huddle sync --status`."""
    with Outbox() as outbox:
        outbox.add_record("old-api", make_records(tmp_path / "x", 1)[0])
    result = run_huddle("sync", "--status", env={"HUDDLE_CONFIG": str(team.path)})
    assert result.returncode == 0 and "old-api: 1 pending" in result.stdout


def test_sync_without_endpoints_says_so_calmly(team: TeamConfig) -> None:
    """No endpoints: exit 0 and one line, not an error."""
    result = run_huddle("sync", env={"HUDDLE_CONFIG": str(team.path)})
    assert result.returncode == 0 and "No endpoints" in result.stdout


@pytest.mark.parametrize("args", [("checkin", "--member", "Ana", "--mood", "3"), ("next", "--json")])
def test_scripted_commands_never_import_httpx_or_the_outbox_without_an_endpoint(
        team: TeamConfig, args: tuple[str, ...]) -> None:
    """`python -X importtime` shows no httpx, outbox or textual when no endpoint is configured.

    sqlite3 itself is imported: the folder's cache (storage/cache.py) is an SQLite file.
    """
    import os

    env = {**os.environ, "HUDDLE_CONFIG": str(team.path)}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "huddle_tui", *args], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert not {m for m in imported if m.split(".")[0] in ("httpx", "textual")}
    assert not {m for m in imported if m.startswith(("huddle_tui.sync.outbox", "huddle_tui.sync.replicate"))}
    assert "huddle_tui.commands.common" in imported  # the probe did see the command's own imports
