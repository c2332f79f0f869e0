"""Many teams on one server, on the folder store and on PostgreSQL alike: one suite for both.

Idempotency, the conflict rule and the `since` cursor behave the same on
both stores; a team's token reaches its own team only (another team is 404,
as a team that does not exist); a token revoked is refused from the next
request; the client's endpoint config names its team.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

from huddle_tui.config.team import Endpoint
from huddle_tui.model.ids import random_id
from huddle_tui.server.app import create_app
from huddle_tui.server.store import FolderRecords, RecordStore
from huddle_tui.server.tokens import TokenBook, TokenSource, add_token, digest
from huddle_tui.storage.envelope import encode
from huddle_tui.sync import wire
from huddle_tui.sync.client import EndpointClient
from huddle_tui.sync.outbox import Item
from tests.conftest import cli
from tests.http_helpers import LiveServer, free_port, make_records
from tests.pg_helpers import database_url, postgres_server

__all__ = ["database_url", "postgres_server"]  # fixtures, used by name


class Teams(NamedTuple):
    """A running server, where its tokens are kept, and a token each for teams alpha and beta and the org."""

    server: LiveServer
    store: RecordStore
    tokens_at: list[str]  # the flags that name the server's tokens: --tokens-file FILE or --database URL
    add: Callable[[str | None], tuple[str, str]]  # `tokens add` there: a team's (or None: the org's)
    alpha: str
    beta: str
    org: str


def open_store(kind: str, tmp_path: Path, request: pytest.FixtureRequest
               ) -> tuple[RecordStore, TokenSource, list[str], Callable[[str | None], tuple[str, str]]]:
    """The store under test and its tokens: a folder with a tokens file, or PostgreSQL with its table."""
    if kind == "folder":
        path = tmp_path / "tokens"
        add_token(path, "default")
        return (FolderRecords(tmp_path / "server", durable=False), TokenBook((), path),
                ["--tokens-file", str(path)], partial(add_token, path))
    from huddle_tui.server import pgtokens
    from huddle_tui.server.pgstore import PostgresRecords

    url = request.getfixturevalue("database_url")
    pgtokens.add_token(url, "default")
    store = PostgresRecords(url, min_size=1, max_size=8, listen=True)  # as `huddle serve` opens it
    tokens = pgtokens.DatabaseTokens(store.pool, changes=store.changes)
    return store, tokens, ["--database", url], partial(pgtokens.add_token, url)


@pytest.fixture(params=["folder", "postgres"])
def teams(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Teams]:
    """A real server on 127.0.0.1 over each store, with tokens made by `tokens add`."""
    (tmp_path / "server").mkdir()
    store, book, tokens_at, add = open_store(request.param, tmp_path, request)
    alpha, beta, org = add("alpha")[0], add("beta")[0], add(None)[0]
    server = LiveServer(create_app(store, book)).start()
    yield Teams(server, store, tokens_at, add, alpha, beta, org)
    server.stop()
    store.close()


def api(teams: Teams, token: str) -> httpx.Client:
    """A client for the server with a bearer token."""
    return httpx.Client(base_url=teams.server.url, headers={"Authorization": f"Bearer {token}"},
                        timeout=30)


def test_idempotency_conflict_and_since_cursor_behave_alike(teams: Teams, tmp_path: Path) -> None:
    """201 then 200 for a replay, 422 for another body, and `since` pages through arrival order."""
    records = make_records(tmp_path / "client", 5)
    first = records[0]
    other_body = encode(first.kind, first.id, first.version, first.date, first.written_at,
                        {**first.payload, "status": "another body"})[0]
    with api(teams, teams.alpha) as c:
        statuses = [c.put(f"/v1/records/{r.id}", content=wire.body(r)).status_code for r in records]
        assert statuses == [201] * 5
        again = c.put(f"/v1/records/{first.id}", content=wire.body(first))
        assert (again.status_code, again.json()["created"]) == (200, False)
        assert c.put(f"/v1/records/{first.id}", content=wire.body(other_body)).status_code == 422
        assert c.get(f"/v1/records/{first.id}").json()["checksum"] == first.checksum
        seen, cursor, more = [], None, True
        while more:
            page = c.get("/v1/records", params={"limit": 2, **({"since": cursor} if cursor else {})}).json()
            seen += [r["id"] for r in page["records"]]
            cursor, more = page["cursor"], page["more"]
        assert seen == [r.id for r in records]
        (late,) = make_records(tmp_path / "client", 1)
        assert c.put(f"/v1/teams/alpha/records/{late.id}", content=wire.body(late)).status_code == 201
        after = c.get("/v1/records", params={"since": cursor}).json()
        assert [r["id"] for r in after["records"]] == [late.id]
        assert c.get("/v1/records", params={"since": "not-ours"}).status_code == 400


def test_one_teams_token_can_neither_read_nor_write_anothers_records(teams: Teams, tmp_path: Path) -> None:
    """beta's token gets 404 on alpha's paths and sees none of alpha's records; the org token no records."""
    (record,) = make_records(tmp_path / "client", 1)
    with api(teams, teams.alpha) as alpha, api(teams, teams.beta) as beta, api(teams, teams.org) as org:
        assert alpha.put(f"/v1/teams/alpha/records/{record.id}", content=wire.body(record)).status_code == 201
        forged = encode(record.kind, record.id, record.version + 1, record.date, record.written_at,
                        {**record.payload, "status": "I quit"})[0]
        assert beta.put(f"/v1/teams/alpha/records/{record.id}", content=wire.body(forged)).status_code == 404
        assert beta.get(f"/v1/teams/alpha/records/{record.id}").status_code == 404
        assert beta.get("/v1/teams/alpha/records").status_code == 404
        assert beta.get("/v1/teams/nosuchteam/records").json() == beta.get("/v1/teams/alpha/records").json()
        assert beta.get(f"/v1/records/{record.id}").status_code == 404
        assert beta.get("/v1/records").json()["records"] == []
        assert beta.put(f"/v1/records/{record.id}", content=wire.body(forged)).status_code == 201
        assert alpha.get(f"/v1/records/{record.id}").json()["checksum"] == record.checksum  # untouched
        assert org.get(f"/v1/teams/alpha/records/{record.id}").status_code == 404
        assert org.get("/v1/records").status_code == 404


def test_a_revoked_token_is_refused_by_the_running_server(teams: Teams,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`huddle serve tokens revoke ID` where the running server keeps its tokens: its requests get 403.

    The folder store reads its tokens file on each request: the next one is
    refused. A PostgreSQL process forgets the tokens it kept when the
    table's notification arrives, moments later (the loop is a hang guard).
    """
    with api(teams, teams.beta) as beta:
        assert beta.get("/v1/records").status_code == 200
        code, out, _ = cli(capsys, "serve", "tokens", "list", *teams.tokens_at)
        assert code == 0 and teams.beta not in out
        (beta_id,) = [line.split()[0] for line in out.splitlines() if line.endswith("team beta")]
        code, out, _ = cli(capsys, "serve", "tokens", "revoke", beta_id, *teams.tokens_at)
        assert code == 0, out
        deadline = time.monotonic() + 30
        while teams.tokens_at[0] == "--database" and time.monotonic() < deadline \
                and beta.get("/v1/records").status_code != 403:
            time.sleep(0.01)
        assert beta.get("/v1/records").status_code == 403
    with api(teams, teams.alpha) as alpha:
        assert alpha.get("/v1/records").status_code == 200


def test_the_endpoint_config_names_its_team(teams: Teams, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A client whose endpoint says team = "alpha" sends to and pulls from alpha's namespace."""
    monkeypatch.setenv("ALPHA_TOKEN", teams.alpha)
    (record,) = make_records(tmp_path / "client", 1)
    endpoint = Endpoint(url=teams.server.url, token_env="ALPHA_TOKEN", name="org", team="alpha")
    item = Item(1, "org", wire.idempotency_key(record.id, record.version), "check-in", "PUT",
                f"/v1/records/{record.id}", wire.body(record), "pending", 0, None)
    with EndpointClient(endpoint, allow_http=("127.0.0.1",)) as client:
        assert client.send(item).result == "sent"
        assert [r.id for r, _ in client.pull(None).records] == [record.id]
    wrong = endpoint._replace(team="beta")
    with EndpointClient(wrong, allow_http=("127.0.0.1",)) as client:
        assert client.send(item).status == 404


def test_tokens_are_stored_hashed_and_listed_by_id(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`tokens add` prints the token once and keeps only its hash (mode 0600); `list` shows ids and scopes."""
    path = tmp_path / "tokens"
    code, out, _ = cli(capsys, "serve", "tokens", "add", "--team", "alpha", "--tokens-file", str(path))
    assert code == 0
    token = out.strip().splitlines()[-1]
    assert token not in path.read_text() and path.stat().st_mode & 0o077 == 0
    assert TokenBook((), path).scope(token) is not None
    code, out, _ = cli(capsys, "serve", "tokens", "list", "--tokens-file", str(path))
    assert code == 0 and "team alpha" in out and token not in out
    code, _, err = cli(capsys, "serve", "tokens", "add", "--team", "Not A Name", "--tokens-file", str(path))
    assert code != 0 and "team name" in err


def test_the_org_report_needs_an_org_token_and_hides_small_teams(teams: Teams) -> None:
    """Teams of 2, 5, 4 and 9: the org token gets figures and signposts (small teams "fewer than 3")."""
    day = "2026-11-24"
    for team, size in (("a", 2), ("b", 5), ("c", 4), ("d", 9)):
        token, _ = teams.add(team)
        with api(teams, token) as c:
            for i in range(size):
                record = encode("checkin", random_id(), 1, day, f"{day}T09:00:00+00:00",
                                {"mood": 1 + i % 5, "status": "ok", "concerns": [], "visibility": "team",
                                 "source": "cli", "member": f"{team}{i}"})[0]
                assert c.put(f"/v1/records/{record.id}", content=wire.body(record)).status_code == 201
            if team == "d":  # two signposts shown, and one whose mark was taken back (a tombstone)
                marks = [encode("signpost", random_id(), 1, day, day, {})[0] for _ in range(3)]
                gone = encode("signpost", marks[2].id, 2, day, day, {}, True)[0]
                for mark in [*marks, gone]:
                    assert c.put(f"/v1/records/{mark.id}", content=wire.body(mark)).status_code == 201
    with api(teams, teams.org) as org, api(teams, teams.alpha) as alpha:
        report = org.get("/v1/org/report", params={"from": "2026-11-23", "to": day})
        assert alpha.get("/v1/org/report").status_code == 404
        assert org.get("/v1/org/report", params={"from": "2026-11-31", "to": day}).status_code == 400
        assert org.get("/v1/org/report", params={"from": day, "to": "2026-11-23"}).status_code == 400
    assert report.status_code == 200
    body = report.json()
    assert body["teams"] == {**body["teams"], "a": "fewer than 3", "b": "fewer than 3", "c": "fewer than 3"}
    assert (body["from"], body["to"]) == ("2026-11-23", "2026-11-29")  # whole weeks
    assert body["teams"]["d"]["participants"] == 9
    assert body["org"]["participants"] == 18  # a's week rests on 2 people: it counts nowhere
    assert body["org"]["mood_distribution"]["1"] == 1 + 1 + 2
    assert body["teams"]["d"]["signposts"] == body["org"]["signposts"] == 2
    assert body["org"]["checkins"] == 18
    assert "a0" not in report.text and "ok" not in report.text


def test_database_tokens_are_stored_hashed_and_need_the_migration(
        postgres_server: str, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`tokens add --database` keeps only the hash; no migration, or a --tokens-file too: one line."""
    import psycopg

    from tests.pg_helpers import with_database

    code, out, _ = cli(capsys, "serve", "tokens", "add", "--org", "--database", database_url)
    assert code == 0
    token = out.strip().splitlines()[-1]
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select digest, team from huddle_tokens").fetchall()
    assert rows == [(digest(token), None)]
    code, out, _ = cli(capsys, "serve", "tokens", "list", "--database", database_url)
    assert (code, out.split()[1:]) == (0, ["org", "report"]) and token not in out
    code, _, err = cli(capsys, "serve", "tokens", "revoke", "abc", "--database", database_url)
    assert code == 3 and "at least 6" in err
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(b'create database "unmigrated"')
    try:
        code, _, err = cli(capsys, "serve", "tokens", "list", "--database",
                           with_database(postgres_server, "unmigrated"))
        assert code == 3 and "huddle serve migrate" in err and len(err.strip().splitlines()) == 1
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(b'drop database "unmigrated" with (force)')
    code, _, err = cli(capsys, "serve", "--database", database_url, "--tokens-file", str(tmp_path / "t"))
    assert code == 2 and "tokens live in the database" in err


def test_a_server_on_a_database_without_tokens_refuses_to_start(
        database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """No token in the table and none in $HUDDLE_SERVER_TOKENS: one line saying how to add one, exit 3."""
    monkeypatch.delenv("HUDDLE_SERVER_TOKENS", raising=False)
    code, _, err = cli(capsys, "serve", "--database", database_url, "--port", str(free_port()))
    assert code == 3 and "tokens add --database" in err and len(err.strip().splitlines()) == 1
