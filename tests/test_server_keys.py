"""The reference server pins each team's member keys and refuses what a pinned member did not sign.

Against real servers on 127.0.0.1, over the folder store and PostgreSQL
alike: a team's first keys are pinned on sight; a record for a pinned member
signed by another key is refused (422), and neither stored nor served; a key
linked by a pinned key of its member is accepted, and a new first key only
once the operator accepts it; proxy entries must say who keyed them, and
can be neither placeholders nor tombstones; anonymous records are bound to
their one-time key. Pins hold across a restart and between two servers on
one store, and a team syncing only through the endpoint sees a forgery
refused as a clear dead-letter reason.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import open_journal
from huddle_tui.model.checkin import CheckIn
from huddle_tui.model.ids import named_id, random_id
from huddle_tui.server.app import create_app
from huddle_tui.server.keys import new_key_refusal
from huddle_tui.server.store import FolderRecords, RecordStore
from huddle_tui.server.tokens import TokenBook
from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.fileio import write_atomic
from huddle_tui.storage.signature import SigningKey, fingerprint, id_for_key, new_seed
from huddle_tui.sync import wire
from huddle_tui.sync.engine import sync_once
from tests.conftest import cli
from tests.http_helpers import TOKEN, TOKEN_ENV, LiveServer, records_endpoint, with_endpoints
from tests.pg_helpers import database_url, postgres_server
from tests.test_server_teams import open_store

__all__ = ["database_url", "postgres_server"]  # fixtures, used by name
DAY = "2026-12-07"


def new_key() -> SigningKey:
    """A fresh machine key."""
    return SigningKey(new_seed())


def signed(kind: str, payload: dict[str, Any], key: SigningKey | None, *, rid: str | None = None,
           version: int = 1, deleted: bool = False) -> Record:
    """A record as a client makes it, signed by `key` (None: unsigned, as before keys)."""
    return envelope.encode(kind, rid or random_id(), version, DAY, f"{DAY}T09:00:00.000000Z", payload,
                           deleted, key=key)[0]


def key_record(member: str, public: str, signer: SigningKey, label: str = "laptop") -> Record:
    """A `key` record publishing `public` as `member`'s, signed by itself (a first key) or by another."""
    rid = named_id("key", public) if public == signer.public else named_id("key", public, signer.public)
    return signed("key", {"member": member, "key": public, "label": label}, signer, rid=rid)


def checkin(member: str, key: SigningKey | None, mood: int | None = 4, **extra: Any) -> Record:
    """A check-in for `member` signed by `key`."""
    return signed("checkin", {"member": member, "mood": mood, "status": "ok", "concerns": [],
                              "visibility": "team", "source": "cli", **extra}, key)


class Served(NamedTuple):
    """A running server over a store, its token flags for the CLI, and clients for teams default and beta."""

    server: LiveServer
    store: RecordStore
    at: list[str]  # --shared DIR or --database URL: where `huddle serve keys` finds the pins
    default: httpx.Client
    beta: httpx.Client


@pytest.fixture(params=["folder", "postgres"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    """A real server on 127.0.0.1 over each store, with a token for the default team and for beta."""
    (tmp_path / "server").mkdir()
    store, book, tokens_at, add = open_store(request.param, tmp_path, request)
    default, beta = add("default")[0], add("beta")[0]
    server = LiveServer(create_app(store, book)).start()
    at = ["--shared", str(tmp_path / "server")] if request.param == "folder" else tokens_at
    with client(server, default) as a, client(server, beta) as b:
        yield Served(server, store, at, a, b)
    server.stop()
    store.close()


def client(server: LiveServer, token: str) -> httpx.Client:
    """A client of the server with a bearer token."""
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def put(c: httpx.Client, record: Record) -> httpx.Response:
    """PUT one record version, as a client's outbox does."""
    return c.put(f"/v1/records/{record.id}", content=wire.body(record),
                 headers={"Idempotency-Key": wire.idempotency_key(record.id, record.version)})


def refused(c: httpx.Client, record: Record, *words: str) -> str:
    """PUT a record that must be refused (422, saying `words`), and check it is not served."""
    answer = put(c, record)
    assert answer.status_code == 422, answer.text
    error = str(answer.json()["error"])
    assert all(w in error for w in words), error
    stored = c.get(f"/v1/records/{record.id}")
    assert stored.status_code == 404 or stored.json()["checksum"] != record.checksum
    return error


def served_ids(c: httpx.Client) -> set[str]:
    """Every record id the team's pull returns."""
    return {r["id"] for r in c.get("/v1/records", params={"limit": 1000}).json()["records"]}


def test_first_keys_are_pinned_and_a_forgery_for_a_pinned_member_is_refused(
        served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    """Ana's and Ben's first keys pin; Ben's key, a stranger's or none cannot speak as Ana; beta is apart."""
    ana, ben, mallory = new_key(), new_key(), new_key()
    c = served.default
    for member, key in (("Ana", ana), ("Ben", ben)):
        assert put(c, key_record(member, key.public, key)).status_code == 201
    assert put(c, key_record("Ana", ana.public, ana)).status_code == 200  # sent again: a replay
    own = checkin("Ana", ana)
    assert put(c, own).status_code == 201
    refused(c, checkin("Ana", ben, 1), "signed by Ben's key but not marked as keyed by them")
    refused(c, checkin("Ana", mallory, 1), "not one of Ana's on this server")
    refused(c, checkin("Ana", None, 1), "unsigned, in Ana's name")
    refused(c, checkin("ana", ben, 1), "not marked as keyed by")  # names are compared folded
    error = refused(c, key_record("Ana", mallory.public, mallory))
    assert error == new_key_refusal("Ana") == ("a new key for Ana: confirm it on the team's machines "
                                               "(huddle keys) and ask the server's operator to accept it")
    refused(c, checkin("Ana", mallory, 1), "a new key for Ana")
    refused(c, key_record("Chen", ben.public, ben), "already Ben's")  # a key is one member's
    forged_version = signed("checkin", {**own.payload, "mood": 1}, ben, rid=own.id, version=2)
    refused(c, forged_version, "not marked as keyed by")
    assert c.get(f"/v1/records/{own.id}").json()["checksum"] == own.checksum
    assert len(served_ids(c)) == 3  # two keys and Ana's own check-in
    # Team beta pins its own keys: the same name there is another person.
    assert put(served.beta, key_record("Ana", mallory.public, mallory)).status_code == 201
    assert put(served.beta, checkin("Ana", mallory)).status_code == 201
    code, out, _ = cli(capsys, "serve", "keys", "list", *served.at)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "team beta" and "team default" in lines
    assert f"  Ana: {fingerprint(ana.public)}  first" in out
    assert f"  Ben: {fingerprint(ben.public)}  first" in out
    assert f"  Ana: {fingerprint(mallory.public)}  waiting" in out
    assert f"--member Ana --fingerprint \"{fingerprint(mallory.public)[:11]}\"" in out


def test_a_linked_key_is_accepted_and_a_new_one_once_the_operator_accepts_it(
        served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    """Ana's laptop links her desktop; her new phone waits until `huddle serve keys accept`."""
    laptop, desktop, phone, ben = new_key(), new_key(), new_key(), new_key()
    c = served.default
    assert put(c, key_record("Ana", laptop.public, laptop)).status_code == 201
    assert put(c, key_record("Ben", ben.public, ben)).status_code == 201
    assert put(c, key_record("Ana", desktop.public, desktop)).status_code == 422  # its own first publish
    assert put(c, key_record("Ana", desktop.public, laptop, "desktop")).status_code == 201  # linked
    assert put(c, key_record("Ana", desktop.public, desktop)).status_code == 201  # now it is Ana's
    assert put(c, checkin("Ana", desktop)).status_code == 201
    refused(c, key_record("Ana", phone.public, ben), "signed by Ben's key", "only a pinned key of Ana's")
    refused(c, key_record("Ana", phone.public, phone, "phone"), "a new key for Ana")
    from_phone = checkin("Ana", phone)
    refused(c, from_phone, "a new key for Ana")
    code, _, err = cli(capsys, "serve", "keys", "accept", "--member", "Ana", "--fingerprint", "00000 00000",
                       *served.at)
    assert code != 0 and "no key waits for Ana" in err
    digits = fingerprint(phone.public)[:11]
    code, out, err = cli(capsys, "serve", "keys", "accept", "--team", "default", "--member", "Ana",
                         "--fingerprint", digits, *served.at)
    assert code == 0, err
    assert f"accepted {fingerprint(phone.public)} as Ana's key in team default" in out
    assert put(c, key_record("Ana", phone.public, phone, "phone")).status_code == 201
    assert put(c, from_phone).status_code == 201  # the retry the writer sends
    code, out, _ = cli(capsys, "serve", "keys", "list", "--team", "default", *served.at)
    assert code == 0 and "waiting" not in out
    assert out.count("  first ") == 2
    assert f"{fingerprint(phone.public)}  accepted" in out and f"{fingerprint(desktop.public)}  linked" in out


def test_proxies_must_say_who_keyed_them_and_are_never_placeholders_or_tombstones(served: Served) -> None:
    """The facilitator keys Ben's mood in the round: accepted when marked; no placeholder, no withdrawal."""
    ana, ben = new_key(), new_key()
    c = served.default
    for member, key in (("Ana", ana), ("Ben", ben)):
        assert put(c, key_record(member, key.public, key)).status_code == 201
    keyed = checkin("Ben", ana, 3, keyed_by="Ana")
    assert put(c, keyed).status_code == 201
    away = {"member": "Ben", "keyed_by": "Ana", "from": DAY, "to": DAY}
    assert put(c, signed("away", away, ana)).status_code == 201
    refused(c, checkin("Ben", ana, 3), "not marked as keyed by them")
    refused(c, checkin("Ben", ana, 3, keyed_by="Chen"), "not marked as keyed by them")
    withheld = {"member": "Ben", "visibility": "withheld", "source": "cli", "keyed_by": "Ana"}
    refused(c, signed("checkin", withheld, ana), "a placeholder for Ben")
    refused(c, signed("checkin", keyed.payload, ana, rid=keyed.id, version=2, deleted=True),
            "Ana cannot withdraw Ben's checkin")
    refused(c, signed("pairmark", {"member": "Ben", "keyed_by": "Ana", "track": "buddy", "mark": "met"},
                      ana), "only Ben can sign it")
    refused(c, checkin("Ben", ben, 3, keyed_by="Ana"), "says it was keyed by someone else")


def test_anonymous_records_are_bound_to_their_key_and_team_records_to_a_pinned_one(served: Served) -> None:
    """An anonymous answer's versions come from its one-time key; a follow-up closes with a member key."""
    ana, once, other = new_key(), new_key(), new_key()
    c = served.default
    assert put(c, key_record("Ana", ana.public, ana)).status_code == 201
    concern = {"id": random_id(), "text": "too many meetings", "kind": "concern", "visibility": "anonymous"}
    anonymous = signed("concern", concern, once, rid=id_for_key(once.public))
    assert put(c, anonymous).status_code == 201
    assert put(c, signed("concern", concern, once, rid=anonymous.id, version=2)).status_code == 201
    refused(c, signed("concern", concern, other, rid=anonymous.id, version=3),
            "only its author can change it")
    refused(c, signed("concern", concern, other, rid=anonymous.id, version=3, deleted=True),
            "only its author can change it")
    refused(c, signed("signpost", {}, other), "only its author can change it")
    refused(c, signed("signpost", {}, None), "unsigned", "with no member")
    follow_up = signed("concern", concern, ana, rid=anonymous.id, version=3)  # closed by its owner
    assert put(c, follow_up).status_code == 201
    huddle = {"facilitator": "Ana", "started_at": f"{DAY}T09:00:00Z", "order": ["Ana"], "turns": [],
              "round_s": 900}
    assert put(c, signed("huddle", huddle, ana)).status_code == 201
    refused(c, signed("huddle", huddle, other), "no member's on this server")
    refused(c, signed("huddle", huddle, None), "unsigned huddle")
    # Team beta has pinned no key: unsigned and unknown-signed records are accepted there, as before keys.
    for record in (signed("huddle", huddle, None), signed("signpost", {}, None), checkin("Ana", other)):
        assert put(served.beta, record).status_code == 201


def test_a_version_stored_before_the_pin_is_still_a_replay(served: Served) -> None:
    """An unsigned check-in stored before Ana's key, sent again after (a retry): 200, not 422."""
    ana = new_key()
    early = checkin("Ana", None)
    assert put(served.default, early).status_code == 201
    assert put(served.default, key_record("Ana", ana.public, ana)).status_code == 201
    again = put(served.default, early)
    assert (again.status_code, again.json()["created"]) == (200, False)


@pytest.mark.parametrize("kind", ["folder", "postgres"])
def test_two_servers_on_one_store_pin_one_first_key(kind: str, request: pytest.FixtureRequest,
                                                    tmp_path: Path) -> None:
    """Eight first keys for Ana sent at once through two servers on one store: exactly one is pinned."""
    stores: list[RecordStore] = []
    if kind == "folder":  # two folder stores on one folder and one pins file: two processes' worth
        (tmp_path / "server").mkdir()
        stores = [FolderRecords(tmp_path / "server", durable=False) for _ in range(2)]
        books: list[Any] = [TokenBook((TOKEN,)) for _ in stores]
        token = TOKEN
    else:
        from huddle_tui.server import pgtokens
        from huddle_tui.server.pgstore import PostgresRecords

        url = request.getfixturevalue("database_url")
        token = pgtokens.add_token(url, "default")[0]
        pg = [PostgresRecords(url, min_size=1, max_size=8, listen=True) for _ in range(2)]
        books = [pgtokens.DatabaseTokens(s.pool, changes=s.changes) for s in pg]
        stores = list(pg)
    servers = [LiveServer(create_app(s, b)).start() for s, b in zip(stores, books, strict=True)]
    keys = [new_key() for _ in range(8)]
    barrier = threading.Barrier(len(keys))
    statuses: list[int] = []

    def send(i: int, key: SigningKey) -> None:
        """PUT one first key for Ana through one of the servers, all at once."""
        with client(servers[i % 2], token) as c:
            barrier.wait()
            statuses.append(put(c, key_record("Ana", key.public, key)).status_code)

    threads = [threading.Thread(target=send, args=(i, k)) for i, k in enumerate(keys)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for server in servers:
        server.stop()
    pins = stores[1].keys.listing("default")
    for store in stores:
        store.close()
    assert sorted(statuses) == [201] + [422] * 7, statuses
    assert [p.how for p in pins].count("first") == 1 and len(pins) == 8, pins  # 1 pinned, 7 waiting


def file_bytes(record: Record) -> bytes:
    """A record's file bytes, as a store keeps them."""
    return envelope.encode(record.kind, record.id, record.version, record.date, record.written_at,
                           record.payload, record.deleted,
                           signed=(record.signer, record.signature) if record.signer else None)[1]


def plant(folder: Path, record: Record) -> None:
    """Write a record file straight into a folder, as a team's share (or anyone with access) would."""
    data = file_bytes(record)
    target = folder / "records" / record.kind / record.date[:7] / record.file_name()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, data, durable=False)


def test_the_folder_servers_pins_come_from_its_folder_and_outlive_a_restart(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Key records in the folder pin at start (two first keys for one member both wait); pins persist."""
    shared = tmp_path / "server"
    shared.mkdir()
    ana, ben, ben2, ana_desktop = new_key(), new_key(), new_key(), new_key()
    plant(shared, key_record("Ana", ana.public, ana))
    plant(shared, key_record("Ana", ana_desktop.public, ana, "desktop"))
    plant(shared, key_record("Ben", ben.public, ben))
    plant(shared, key_record("Ben", ben2.public, ben2))  # two first keys for Ben: the operator decides

    def serve() -> tuple[LiveServer, httpx.Client]:
        """The folder server on `shared` (a new process's worth: a new store on the same files)."""
        server = LiveServer(create_app(shared, (TOKEN,), durable=False)).start()
        return server, client(server, TOKEN)

    server, c = serve()
    try:
        assert put(c, checkin("Ana", ana_desktop)).status_code == 201
        refused(c, checkin("Ana", ben), "a new key for Ben")  # Ben's keys both wait: neither speaks
        refused(c, checkin("Ben", ben), "a new key for Ben")
        assert put(c, key_record("Chen", ana.public, ana)).status_code == 422
    finally:
        c.close()
        server.stop()
    code, out, _ = cli(capsys, "serve", "keys", "list", "--shared", str(shared))
    assert code == 0 and out.count("waiting") == 2 and out.count("Ben:") == 2, out
    assert (Path(str(tmp_path / "home" / "data" / "server"))).is_dir()  # the server's own data folder
    assert not any(p.suffix == ".sqlite3" for p in shared.rglob("*"))  # never in the shared folder
    server, c = serve()
    try:
        refused(c, checkin("Ana", new_key()), "not one of Ana's")  # Ana's pins held over the restart
        assert put(c, checkin("Ana", ana)).status_code == 201
        code, _, err = cli(capsys, "serve", "keys", "accept", "--member", "ben", "--fingerprint",
                           fingerprint(ben.public), "--shared", str(shared))
        assert code == 0, err
        assert put(c, checkin("Ben", ben)).status_code == 201
        refused(c, checkin("Ben", ben2), "a new key for Ben")
        refused(c, checkin("Ana", ben), "not marked as keyed by")
    finally:
        c.close()
        server.stop()


def test_a_forgery_through_huddle_sync_is_a_clear_dead_letter_and_reaches_no_one(
        team: TeamConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Ben, on his own machine, says he is Ana: the server refuses it; Chen's machine pulls Ana's own."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    (tmp_path / "server-folder").mkdir()
    server = LiveServer(create_app(tmp_path / "server-folder", (TOKEN,), durable=False)).start()
    try:
        synced = with_endpoints(team, records_endpoint(server.url))

        def home(who: str) -> TeamConfig:
            """A teammate's machine: its own data folder and outbox, its own copy of the team's folder."""
            folder = tmp_path / f"{who}-shared"
            folder.mkdir(exist_ok=True)
            monkeypatch.setenv("HUDDLE_DATA_DIR", str(tmp_path / f"{who}-data"))
            return synced._replace(shared_dir=folder) if who != "ana" else synced

        ana_team = home("ana")
        open_journal(ana_team, me="Ana", durable=False).save_checkin(CheckIn(DAY, 4, "Ana", "shipping"))
        assert sync_once(ana_team).ok
        ben_team = home("ben")
        posing = open_journal(ben_team, me="Ana", durable=False)  # `huddle init --me Ana` on Ben's machine
        posing.save_checkin(CheckIn(DAY, 1, "Ana", "I hate this team"))
        report = sync_once(ben_team)
        code, out, _ = cli(capsys, "sync", "--status", "--config", str(ben_team.path))
        chen_team = home("chen")
        assert sync_once(chen_team).ok
        chen = open_journal(chen_team, me="Chen", durable=False)
        shown = [c for c in chen.checkins(chen.read(("checkin",), since=DAY)) if c.member == "Ana"]
    finally:
        server.stop()
    (ben_report,) = report.endpoints
    assert ben_report.dead_total == 2  # Ben's key for "Ana", and the check-in it signed
    assert code == 0 and "2 dead" in out
    assert new_key_refusal("Ana") in out, out
    assert [(c.mood, c.status) for c in shown] == [(4, "shipping")]


def test_keys_stored_before_the_check_are_pinned_on_a_teams_first_put(database_url: str) -> None:
    """A database whose key records were stored before migration 3 pins them on the team's first PUT."""
    import psycopg

    from huddle_tui.server import pgtokens
    from huddle_tui.server.pgstore import PostgresRecords

    ana, ben = new_key(), new_key()
    token = pgtokens.add_token(database_url, "default")[0]
    for record in (key_record("Ana", ana.public, ana), key_record("Ben", ben.public, ben)):
        stored = PostgresRecords(database_url, min_size=1, max_size=2)
        stored.put("default", record, file_bytes(record))  # stored as an older server stored it: unchecked
        stored.close()
    with psycopg.connect(database_url) as conn:
        assert conn.execute("select count(*) from huddle_keys").fetchone() == (0,)
    store = PostgresRecords(database_url, min_size=1, max_size=4)
    server = LiveServer(create_app(store, pgtokens.DatabaseTokens(store.pool))).start()
    try:
        with client(server, token) as c:
            refused(c, checkin("Ana", ben), "not marked as keyed by")
            assert put(c, checkin("Ana", ana)).status_code == 201
    finally:
        server.stop()
        store.close()
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select name, how from huddle_keys order by name").fetchall()
        seeded = conn.execute("select team from huddle_keys_seeded").fetchall()
    assert rows == [("Ana", "first"), ("Ben", "first")] and seeded == [("default",)]
