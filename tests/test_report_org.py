"""`huddle report --endpoint NAME --org` against a real `huddle serve` app on 127.0.0.1.

Teams of 2, 5, 4 and 9 people check in (the 9 were also shown 2 signposts):
the report prints what the server shows (whole weeks; the 2's week counts
nowhere) and "fewer than 3" where it suppressed, in text, Markdown, CSV and
JSON. A dead endpoint, a team's token and an unknown name each get one line
and an exit code.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from markdown_it import MarkdownIt

from huddle_tui.config.team import Endpoint
from huddle_tui.model.ids import random_id
from huddle_tui.server.app import create_app
from huddle_tui.server.store import FolderRecords
from huddle_tui.server.tokens import TokenBook, add_token
from huddle_tui.storage.envelope import encode
from huddle_tui.sync import wire
from tests.conftest import cli
from tests.http_helpers import LiveServer, approve_endpoints, free_port

DAY = "2026-11-24"
SPAN = ("--since", "2026-11-23", "--until", DAY)


class Org(NamedTuple):
    """A running server with four teams' check-ins, an org token and a team token."""

    url: str
    org: str
    team: str


@pytest.fixture
def org_server(tmp_path: Path) -> Iterator[Org]:
    """`huddle serve`'s app over a folder, seeded through the API by each team's own token."""
    (tmp_path / "server").mkdir()
    tokens = tmp_path / "tokens"
    org, _ = add_token(tokens, None)
    server = LiveServer(create_app(FolderRecords(tmp_path / "server", durable=False), TokenBook((), tokens)))
    server.start()
    team_token = ""
    for team, size, marks in (("a", 2, 0), ("b", 5, 0), ("c", 4, 0), ("d", 9, 2)):
        team_token, _ = add_token(tokens, team)
        records = [encode("checkin", random_id(), 1, DAY, f"{DAY}T09:00:00+00:00",
                          {"mood": 1 + i % 5, "status": "ok", "concerns": [], "visibility": "team",
                           "source": "cli", "member": f"{team}{i}"})[0] for i in range(size)]
        records += [encode("signpost", random_id(), 1, DAY, DAY, {})[0] for _ in range(marks)]
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {team_token}"}) as c:
            for record in records:
                assert c.put(f"/v1/records/{record.id}", content=wire.body(record)).status_code == 201
    yield Org(server.url, org, team_token)
    server.stop()


def endpoint(monkeypatch: pytest.MonkeyPatch, url: str, token: str, name: str = "hq") -> Endpoint:
    """An endpoint in this person's own config (approved, as `huddle trust` would), token in the env."""
    monkeypatch.setenv("HQ_TOKEN", token)
    found = Endpoint(url=url, token_env="HQ_TOKEN", name=name)
    approve_endpoints(found)
    return found


def test_the_org_report_prints_what_the_server_shows_in_every_format(
        org_server: Org, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Text, Markdown, CSV and JSON agree; suppressed teams say "fewer than 3"; no name, no record."""
    endpoint(monkeypatch, org_server.url, org_server.org)
    code, text, err = cli(capsys, "report", "--endpoint", "hq", "--org", *SPAN)
    assert code == 0, err
    assert "Org report from hq, 2026-11-23 to 2026-11-29" in text  # whole weeks
    assert "Team a\n  fewer than 3\n" in text and "Team c\n  fewer than 3\n" in text
    assert "Team d\n  participants:       9 people checked in\n" in text
    assert "  signposts:          2 shown\n" in text.split("Team d")[1]
    whole = text.split("Whole org")[1].split("Team a")[0]
    assert "18 people checked in" in whole and "mood distribution:  1:4 2:4 3:4 4:4 5:2" in whole
    assert "3 team-weeks with 3 or more people checking in, over 1 week\n" in whole
    assert "d0" not in text and "ok" not in text.replace("Org report", "")

    code, out, _ = cli(capsys, "report", "--endpoint", "hq", "--org", "--json", *SPAN)
    data = json.loads(out)
    assert (code, data["teams"]["a"], data["teams"]["d"]["signposts"]) == (0, "fewer than 3", 2)
    assert data["org"]["participants"] == 18 and data["endpoint"] == "hq"  # a's week: 2 people

    code, out, _ = cli(capsys, "report", "--endpoint", "hq", "--org", "--format", "csv", *SPAN)
    rows = {row["team"]: row for row in csv.DictReader(io.StringIO(out))}
    assert rows["(org)"]["signposts"] == "2" and rows["b"]["mood_1"] == "fewer than 3"
    assert rows["d"]["participants"] == "9"

    code, out, _ = cli(capsys, "report", "--endpoint", "hq", "--org", "--format", "markdown", *SPAN)
    headings = [t.content for t in MarkdownIt().parse(out) if t.type == "inline" and t.map and t.map[0] == 0]
    assert code == 0 and headings == ["Org report from hq, 2026-11-23 to 2026-11-29"]
    assert "## Team a\n\n- fewer than 3\n" in out and "- **signposts**: 2 shown" in out


def test_a_team_token_a_dead_endpoint_and_a_bad_name_each_get_one_line(
        org_server: Org, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """404 for a team's token says an org token is needed; a dead port and an unknown name say so too."""
    endpoint(monkeypatch, org_server.url, org_server.team)
    code, out, err = cli(capsys, "report", "--endpoint", "hq", "--org", *SPAN)
    assert (code, out) == (6, "") and "needs an org token" in err and len(err.strip().splitlines()) == 1
    assert org_server.team not in err
    endpoint(monkeypatch, f"http://127.0.0.1:{free_port()}", org_server.org, name="gone")
    code, _, err = cli(capsys, "report", "--endpoint", "gone", "--org", *SPAN)
    assert code == 6 and "gone: cannot reach http://127.0.0.1:" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli(capsys, "report", "--endpoint", "nowhere", "--org", *SPAN)
    assert code == 3 and "no records endpoint named 'nowhere'" in err and "gone, hq" in err
    code, _, err = cli(capsys, "report", "--org", *SPAN)
    assert code == 2 and "--endpoint NAME" in err
    code, _, err = cli(capsys, "report", "--endpoint", "hq", "--org", "--by", "month")
    assert code == 2 and "leave out --by" in err


def test_an_answer_that_is_not_an_org_report_is_refused(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A server answering 200 with something else (a record page) gets one line, exit 6, nothing printed."""
    from tests.http_helpers import Capture

    server = LiveServer(Capture()).start()
    try:
        endpoint(monkeypatch, server.url, "not-an-org-token-0123456789")
        code, out, err = cli(capsys, "report", "--endpoint", "hq", "--org", *SPAN)
    finally:
        server.stop()
    assert (code, out) == (6, "") and "not an org report" in err
