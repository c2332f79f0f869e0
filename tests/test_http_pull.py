"""Pull: teammates' records come in from the endpoint, so it can be a team's only sync."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import open_journal
from huddle_tui.model.checkin import CheckIn, Concern
from huddle_tui.server.app import create_app
from huddle_tui.storage.folder import FolderStore
from huddle_tui.sync.engine import sync_once
from tests.http_helpers import TOKEN, TOKEN_ENV, LiveServer, records_endpoint, with_endpoints

DAY = "2026-11-26"


def test_a_teammates_checkins_arrive_through_the_endpoint(team: TeamConfig, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Ana saves on her machine and syncs; Ben's sync pulls her records (anonymous ones stay traceless)."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    server_dir = tmp_path / "server"
    server = LiveServer(create_app(server_dir, (TOKEN,), durable=False)).start()
    try:
        ana_team = with_endpoints(team, records_endpoint(server.url))
        journal = open_journal(ana_team, durable=False)
        journal.save_checkin(CheckIn(DAY, 4, "Ana", "shipping", (Concern.new("the flaky CI", "blocker"),)))
        for name in ("Ben", "Chen"):  # two answers withheld, so Ana's anonymous one has 3 candidates
            journal.save_checkin(CheckIn(DAY, 3, name, visibility="private"))
        journal.save_checkin(CheckIn(DAY, 2, "Ana", "", (Concern.new("too many meetings", "concern",
                                                                     "anonymous"),), visibility="anonymous"))
        open_journal(ana_team, durable=False).release_pending()  # Ana's next session
        assert sync_once(ana_team, pull=False).ok
        ben_folder = tmp_path / "ben-shared"
        ben_folder.mkdir()
        ben_team = ana_team._replace(shared_dir=ben_folder)
        monkeypatch.setenv("HUDDLE_DATA_DIR", str(tmp_path / "ben-data"))
        first = sync_once(ben_team)
        again = sync_once(ben_team)
        server.stop()
        restarted = LiveServer(create_app(server_dir, (TOKEN,), durable=False), port=server.port).start()
        after_restart = sync_once(ben_team)
        restarted.stop()
    finally:
        server.stop()
    assert first.ok and first.endpoints[0].pulled == 5  # Ana's two versions, 2 placeholders, an answer
    assert again.endpoints[0].pulled == 0 and after_restart.endpoints[0].pulled == 0
    history = FolderStore(ben_folder).read()
    assert {r.id for r in history.records.values()} == {r.id for r in journal.read().records.values()}
    assert not history.problems
    (anon_file,) = [p for p in (ben_folder / "records").rglob("*.json")
                    if history.records[p.name.split(".")[0]].written_at == DAY]
    midnight = datetime.fromisoformat(DAY).replace(tzinfo=UTC).timestamp()
    assert anon_file.stat().st_mtime == midnight
