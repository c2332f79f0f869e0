"""The reference server: its OpenAPI matches what it serves; bad requests leave the store alone."""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from huddle_tui.errors import ConfigError, StoreError
from huddle_tui.server.app import MAX_BODY_BYTES, create_app
from huddle_tui.server.limits import Limits
from huddle_tui.server.state import ServerState
from huddle_tui.server.tokens import DEFAULT_TEAM, Scope, TokenBook, digest, load_tokens, token_ok
from huddle_tui.storage.envelope import dumps, encode
from huddle_tui.sync import wire
from tests.conftest import ROOT, run_huddle
from tests.http_helpers import TOKEN, BoundedServer, LiveServer, make_records

OPENAPI = json.loads((ROOT / "docs" / "openapi.json").read_text("utf-8"))
OPENAPI_URI = "urn:huddle-tui:openapi"
REGISTRY: Registry[Any] = Registry().with_resource(
    OPENAPI_URI, Resource.from_contents(OPENAPI, default_specification=DRAFT202012))
Call = tuple[str, str, int]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[LiveServer, Path]]:
    """A real server on 127.0.0.1 over an empty folder."""
    folder = tmp_path / "server"
    book = TokenBook((TOKEN,), org_tokens_file(tmp_path))
    server = LiveServer(create_app(folder, book, durable=False)).start()
    yield server, folder
    server.stop()


ORG_TOKEN = "hdl_org-" + "k3Lm9PqR2sT5vW8x"


def org_tokens_file(folder: Path) -> Path:
    """A tokens file holding (the hash of) ORG_TOKEN, scoped to the org report."""
    path = folder / "org-tokens"
    path.write_text(f"sha256:{digest(ORG_TOKEN)} org\n")
    path.chmod(0o600)
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes, to prove a request changed nothing."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def client(server: LiveServer, token: str | None = TOKEN) -> httpx.Client:
    """An httpx client for the test server, with a bearer token unless None."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=10)


def put_json(c: httpx.Client, rid: str, obj: Any, **headers: str) -> httpx.Response:
    """PUT a JSON body to /v1/records/{rid}."""
    return c.put(f"/v1/records/{rid}", content=dumps(obj).encode(), headers=headers)


def test_bad_requests_get_their_status_and_leave_the_store_untouched(
        served: tuple[LiveServer, Path], tmp_path: Path) -> None:
    """No token 401, wrong token 403, too big 413, bad JSON 400, bad schema or checksum 422, conflict 422,
    a body that is not the record the path (or Idempotency-Key) names 409."""
    server, folder = served
    good, other = make_records(tmp_path / "client", 2)
    body = wire.to_wire(good)
    with client(server) as c:
        assert put_json(c, good.id, body).status_code == 201
    before = snapshot(folder)
    wrong_schema = {**body, "schema": 2}
    tampered = {**body, "payload": {**body["payload"], "status": "edited on the way"}}
    moved = {**wire.to_wire(other), "id": good.id}  # other's checksum, so it no longer matches
    conflict = wire.to_wire(encode(good.kind, good.id, good.version, good.date, good.written_at,
                                   {**good.payload, "status": "another body"})[0])
    cases: list[tuple[str, Callable[[], httpx.Response], int]] = [
        ("no token", lambda: put_json(client(server, None), good.id, body), 401),
        ("wrong token", lambda: put_json(client(server, "x" * 30), good.id, body), 403),
        ("oversized", lambda: client(server).put(f"/v1/records/{good.id}",
                                                 content=b"{" + b" " * MAX_BODY_BYTES + b"}"), 413),
        ("malformed JSON", lambda: client(server).put(f"/v1/records/{good.id}", content=b"{not json"), 400),
        ("wrong schema version", lambda: put_json(client(server), good.id, wrong_schema), 422),
        ("checksum mismatch", lambda: put_json(client(server), good.id, tampered), 422),
        ("id not in path", lambda: put_json(client(server), other.id, body), 409),
        ("id changed on the way", lambda: put_json(client(server), good.id, moved), 422),
        ("same version, other body", lambda: put_json(client(server), good.id, conflict), 422),
        ("bad idempotency key", lambda: put_json(client(server), good.id, body,
                                                 **{"Idempotency-Key": "nope"}), 409),
        ("not a uuid", lambda: put_json(client(server), "NOT-A-UUID", body), 422),
        ("path escape", lambda: put_json(client(server), "..%2f..%2fetc", body), 404),
    ]
    for name, call, status in cases:
        response = call()
        assert response.status_code == status, name
        assert response.json()["status"] == status, name
        assert isinstance(response.json()["error"], str) and response.json()["error"], name
        assert snapshot(folder) == before, name


def test_a_replayed_put_is_accepted_once_and_stored_once(served: tuple[LiveServer, Path],
                                                        tmp_path: Path) -> None:
    """The same id, version and body again is 200 (not a second file)."""
    server, folder = served
    (record,) = make_records(tmp_path / "client", 1)
    key = wire.idempotency_key(record.id, record.version)
    with client(server) as c:
        first = put_json(c, record.id, wire.to_wire(record), **{"Idempotency-Key": key})
        again = put_json(c, record.id, wire.to_wire(record), **{"Idempotency-Key": key})
    assert (first.status_code, again.status_code) == (201, 200)
    assert (first.json()["created"], again.json()["created"]) == (True, False)
    assert len(list(folder.rglob("*.json"))) == 1


def test_the_server_refuses_to_start_without_tokens(tmp_path: Path) -> None:
    """`huddle serve` with no tokens exits 3 saying how to give some; nothing is served."""
    folder = tmp_path / "srv"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "HUDDLE_SERVER_TOKENS"}
    result = run_huddle("serve", "--shared", str(folder), env={**env, "HUDDLE_SERVER_TOKENS": " , "})
    assert result.returncode == 3
    assert "refuses to start" in result.stderr
    with pytest.raises(ValueError):
        create_app(folder, ())


class DownTokens:
    """A token source like the database's while the database is down: every lookup fails."""

    def __init__(self) -> None:
        """No lookups yet."""
        self.threads: list[threading.Thread] = []

    def scope(self, given: str) -> Scope | None:
        """Note the thread that asked, then fail as PostgresTokens does when its database is down."""
        self.threads.append(threading.current_thread())
        raise StoreError("PostgreSQL: OperationalError")

    def known(self, given: str) -> Scope | None:
        """Nothing kept: every token is looked up."""
        return None

    def close(self) -> None:
        """Nothing held."""


def test_a_token_is_looked_up_only_where_one_is_needed_and_never_on_the_event_loop(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Health checks, an unknown path and a wrong method answer without a lookup; a failed one is a 500.

    A tokens database that is down is the server's fault, not the client's: a JSON 500 worth a
    retry, and a log line naming the request, never its token. The lookup may block, so it runs
    in a worker thread, not the thread whose event loop serves every other request.
    """
    tokens = DownTokens()
    (tmp_path / "server").mkdir()
    server = LiveServer(create_app(tmp_path / "server", tokens, durable=False)).start()
    try:
        with client(server) as c, caplog.at_level(logging.ERROR, logger="huddle_tui.server"):
            answers = [c.get(path).status_code for path in ("/healthz", "/readyz", "/v1/nothing-here")]
            assert [*answers, c.delete("/v1/records").status_code] == [200, 200, 404, 405]
            assert tokens.threads == []
            refused = c.get("/v1/records")
    finally:
        server.stop()
    assert refused.status_code == 500
    assert refused.json() == {"error": "the server cannot check tokens now; try again later", "status": 500}
    assert len(tokens.threads) == 1 and tokens.threads[0] is not server.thread
    assert "GET /v1/records: PostgreSQL: OperationalError" in caplog.text and TOKEN not in caplog.text


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_tokens_come_from_an_owner_only_file_or_the_environment(tmp_path: Path) -> None:
    """A 0644 tokens file is refused; a 0600 one is read; the variable is comma-separated."""
    path = tmp_path / "tokens"
    path.write_text(f"# team tokens\n{TOKEN}\n{'b' * 20}\n")
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_tokens(path, {})
    path.chmod(0o600)
    assert load_tokens(path, {}) == (TOKEN, "b" * 20)
    assert load_tokens(None, {"HUDDLE_SERVER_TOKENS": f"{TOKEN}, {'c' * 16}"}) == (TOKEN, "c" * 16)
    with pytest.raises(ConfigError, match="shorter"):
        load_tokens(None, {"HUDDLE_SERVER_TOKENS": "short"})
    assert token_ok(TOKEN, (TOKEN,)) and not token_ok(TOKEN[:-1], (TOKEN,))


# ---------------------------------------------------------------- OpenAPI


def documented_response(method: str, path: str, status: int) -> tuple[str, dict[str, Any]]:
    """The JSON pointer to one documented response and the response object (a shared one's, if a $ref)."""
    resolver = REGISTRY.resolver(OPENAPI_URI)
    pointer = "/".join(("", "paths", path.replace("~", "~0").replace("/", "~1"), method.lower(),
                        "responses", str(status)))
    response = resolver.lookup(f"#{pointer}").contents
    if "$ref" in response:  # a response shared under components/responses
        pointer = response["$ref"].removeprefix("#")
        response = resolver.lookup(response["$ref"]).contents
    return pointer, response


def validator_at(pointer: str) -> Draft202012Validator:
    """A full JSON Schema (2020-12) validator, formats included, for the schema at a pointer.

    The schema is reached by a $ref into the whole description, so its own $refs resolve there.
    """
    return Draft202012Validator({"$ref": f"{OPENAPI_URI}#{pointer}"}, registry=REGISTRY,
                                format_checker=FormatChecker())


def response_validator(method: str, path: str, status: int) -> Draft202012Validator:
    """A validator for one documented response body."""
    pointer, _ = documented_response(method, path, status)
    return validator_at(f"{pointer}/content/application~1json/schema")


def header_errors(method: str, path: str, response: httpx.Response) -> list[str]:
    """What is wrong with a response's headers: a required one missing, or one unlike its schema."""
    pointer, documented_answer = documented_response(method, path, response.status_code)
    errors = []
    for name, header in documented_answer.get("headers", {}).items():
        value = response.headers.get(name)
        if value is None:
            errors += [f"header {name} missing"] if header.get("required") else []
            continue
        validator = validator_at(f"{pointer}/headers/{name}/schema")
        errors += [f"header {name}: {e.message}" for e in validator.iter_errors(value)]
    return errors


def documented() -> set[Call]:
    """Every (method, path, status) the description promises."""
    out = set()
    for path, item in OPENAPI["paths"].items():
        for method in ("get", "put", "post", "delete", "patch"):
            for status in item.get(method, {}).get("responses", {}):
                out.add((method.upper(), path, int(status)))
    return out


class Conformance:
    """Checks answers against the description and notes which (method, path, status) were seen."""

    def __init__(self) -> None:
        """Nothing seen yet."""
        self.seen: set[Call] = set()

    def check(self, method: str, path: str, response: httpx.Response) -> None:
        """Validate a response's status, headers and body against the description and note it as seen."""
        spec = OPENAPI["paths"][path][method.lower()]["responses"]
        assert str(response.status_code) in spec, (method, path, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/json"), (method, path, response)
        validator = response_validator(method, path, response.status_code)
        errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(response.json())]
        errors += header_errors(method, path, response)
        assert not errors, (method, path, response.status_code, errors)
        self.seen.add((method, path, response.status_code))


def raw_request(port: int, data: bytes) -> httpx.Response:
    """Send bytes on a fresh connection and read the answer until the server closes it (30 s at most)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = [(name.strip(), value.strip()) for name, _, value in (line.partition(":") for line in lines)]
    return httpx.Response(int(status_line.split()[1]), headers=headers, content=body)


def test_the_openapi_description_matches_what_the_server_serves(
        served: tuple[LiveServer, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every documented path, method and status is produced, each answer fits its description, no route extra.

    A status any request may get before it reaches its operation (a malformed or late request, an
    over-long head, a busy server) is produced for each operation by a server with `huddle serve`'s
    limits; a 405, which no documented method gets, counts for each operation of its path.
    """
    server, _ = served
    record, second = make_records(tmp_path / "client", 2)
    body = wire.to_wire(record)
    conflict = wire.to_wire(encode(record.kind, record.id, record.version, record.date, record.written_at,
                                   {**record.payload, "status": "another body"})[0])
    one = "/v1/records/{id}"
    many = "/v1/records"
    check = Conformance()
    state: ServerState = served_app(server).state.huddle.team(DEFAULT_TEAM)

    anon, bad = client(server, None), client(server, "y" * 24)
    with client(server) as c:
        check.check("PUT", one, put_json(c, record.id, body))
        check.check("PUT", one, put_json(c, record.id, body))
        check.check("PUT", one, put_json(c, record.id, conflict))
        check.check("PUT", one, put_json(c, second.id, body))
        check.check("PUT", one, c.put(f"/v1/records/{record.id}", content=b"[oops"))
        check.check("PUT", one, put_json(anon, record.id, body))
        check.check("PUT", one, put_json(bad, record.id, body))
        check.check("PUT", one, put_json(c, "a%2Fb", body))
        check.check("PUT", one, c.put(f"/v1/records/{record.id}", content=b"x" * (MAX_BODY_BYTES + 1)))
        check.check("PUT", one, put_json(c, record.id, {**body, "schema": 9}))
        check.check("GET", one, c.get(f"/v1/records/{record.id}"))
        check.check("GET", one, anon.get(f"/v1/records/{record.id}"))
        check.check("GET", one, bad.get(f"/v1/records/{record.id}"))
        check.check("GET", one, c.get(f"/v1/records/{second.id}"))
        check.check("PUT", one, put_json(c, second.id, wire.to_wire(second)))
        first_page = c.get(many, params={"limit": 1})
        check.check("GET", many, first_page)
        assert first_page.json()["more"] is True
        rest = c.get(many, params={"since": first_page.json()["cursor"]})
        check.check("GET", many, rest)
        assert [r["id"] for r in first_page.json()["records"] + rest.json()["records"]] == \
            [record.id, second.id]
        check.check("GET", many, c.get(many, params={"since": "garbage"}))
        check.check("GET", many, anon.get(many))
        check.check("GET", many, bad.get(many))
        unknown = c.get("/v1/nothing-here")
        assert unknown.status_code == 404 and unknown.json()["status"] == 404
        for path, url in ((one, f"/v1/records/{record.id}"), (many, many)):
            methods = {m.upper() for m in OPENAPI["paths"][path] if m != "parameters"}
            for other in {"PUT", "POST", "DELETE", "PATCH", "TRACE", "OPTIONS"} - methods:
                refused = c.request(other, url, content=b"{}")
                assert {m.strip() for m in refused.headers["allow"].split(",")} == methods | {"HEAD"}, other
                for method in methods:
                    check.check(method, path, refused)
        with monkeypatch.context() as broken:
            def cannot_write(*args: Any, **kwargs: Any) -> Path:
                """A folder that refuses the write."""
                raise StoreError("the disk is full")

            def bug(*args: Any, **kwargs: Any) -> Any:
                """A bug in the server."""
                raise RuntimeError("a bug")

            broken.setattr(state.store, "write", cannot_write)
            broken.setattr(state, "latest", Broken())
            broken.setattr(state, "page", bug)
            (third,) = make_records(tmp_path / "client", 1)
            check.check("PUT", one, put_json(c, third.id, wire.to_wire(third)))
            check.check("GET", one, c.get(f"/v1/records/{record.id}"))
            check.check("GET", many, c.get(many))
    check_before_operations(check, tmp_path)
    check_team_paths_and_health(check, server, tmp_path)
    # A team path runs the very handler of its plain path, so each status seen on the plain path
    # counts for it too; check_team_paths_and_health sends the team paths their own requests.
    aliases = {(m, p.replace("/v1/", "/v1/teams/{team}/"), s) for m, p, s in check.seen
               if p.startswith("/v1/records")}
    assert check.seen | aliases == documented()
    routes = {(m, r.path) for r in served_routes(server) for m in r.methods - {"HEAD"}}
    assert routes == {(m, p) for m, p, _ in documented()}


def check_team_paths_and_health(check: Conformance, server: LiveServer, tmp_path: Path) -> None:
    """The team-named paths answer as documented (another team's name is 404); health needs no token."""
    (record,) = make_records(tmp_path / "client3", 1)
    one, many = "/v1/teams/{team}/records/{id}", "/v1/teams/{team}/records"
    with client(server) as c:
        check.check("PUT", one, c.put(f"/v1/teams/default/records/{record.id}", content=wire.body(record)))
        check.check("PUT", one, c.put(f"/v1/teams/other/records/{record.id}", content=wire.body(record)))
        check.check("GET", one, c.get(f"/v1/teams/default/records/{record.id}"))
        check.check("GET", one, c.get(f"/v1/teams/other/records/{record.id}"))
        check.check("GET", many, c.get("/v1/teams/default/records"))
        check.check("GET", many, c.get("/v1/teams/other/records"))
        check.check("GET", "/v1/records", client(server, ORG_TOKEN).get("/v1/records"))
        report = "/v1/org/report"
        with client(server, ORG_TOKEN) as org:
            check.check("GET", report, org.get(report, params={"from": "2026-11-01", "to": "2026-11-30"}))
            check.check("GET", report, org.get(report, params={"from": "2026-11-31", "to": "2026-11-30"}))
        check.check("GET", report, c.get(report))
        check.check("GET", report, client(server, None).get(report))
        check.check("GET", report, client(server, "y" * 24).get(report))
        check.check("GET", "/healthz", httpx.get(server.url + "/healthz"))
        check.check("GET", "/readyz", httpx.get(server.url + "/readyz"))
    store = served_app(server).state.huddle
    real_ready = store.ready
    store.ready = lambda: False
    try:
        check.check("GET", "/readyz", httpx.get(server.url + "/readyz"))
    finally:
        store.ready = real_ready


class Broken(dict[str, Any]):
    """A mapping whose every read is a bug."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        """Fail as a bug would."""
        raise RuntimeError("a bug")


def check_before_operations(check: Conformance, tmp_path: Path) -> None:
    """400, 408, 431 and 503 for each operation, from `huddle serve`'s own protocol with small limits.

    The order matters: until the busy part at the end, the server has one connection at a time.
    """
    server = BoundedServer(create_app(tmp_path / "bounded", (TOKEN,), durable=False),
                           Limits(concurrency=2, request_timeout=1.0)).start()
    (record,) = make_records(tmp_path / "client2", 1)
    rid = record.id
    calls = [("PUT", "/v1/records/{id}", f"/v1/records/{rid}"),
             ("GET", "/v1/records/{id}", f"/v1/records/{rid}"), ("GET", "/v1/records", "/v1/records")]
    auth = f"Authorization: Bearer {TOKEN}\r\n"
    try:
        half_body = f"PUT /v1/records/{rid} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 500\r\n\r\n{{"
        check.check("PUT", "/v1/records/{id}", raw_request(server.port, half_body.encode()))  # 408
        for method, path, url in calls:
            start = f"{method} {url} HTTP/1.1\r\nHost: x\r\n"
            if method == "GET":
                check.check(method, path, raw_request(server.port, start.encode()))  # 408: half a head
            check.check(method, path, raw_request(server.port, f"{start}No colon here\r\n\r\n".encode()))
            huge = f"{start}X-Pad: {'a' * 40_000}\r\n\r\n"
            check.check(method, path, raw_request(server.port, huge.encode()))  # 431
        state: ServerState = served_app(server).state.huddle.team(DEFAULT_TEAM)
        writing, release = threading.Event(), threading.Event()
        real_write = state.store.write

        def held_write(*args: Any, **kwargs: Any) -> Path:
            """Hold a PUT in the server (bounded), so the next connection is one too many."""
            writing.set()
            release.wait(timeout=30)
            return real_write(*args, **kwargs)

        state.store.write = held_write  # type: ignore[method-assign]
        held = threading.Thread(target=lambda: put_json(client(server), rid, wire.to_wire(record)))
        held.start()
        try:
            assert writing.wait(timeout=30)
            for method, path, url in calls:
                whole = f"{method} {url} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 2\r\n\r\n{{}}"
                check.check(method, path, raw_request(server.port, whole.encode()))  # 503
        finally:
            release.set()
            held.join(timeout=30)
    finally:
        server.stop()


def served_app(server: LiveServer) -> Any:
    """The Starlette app the test server runs."""
    return server.server.config.app


def served_routes(server: LiveServer) -> list[Any]:
    """The Starlette routes of the app the test server runs."""
    return list(served_app(server).routes)


def test_huddle_serve_binds_127_0_0_1_by_default_and_serves(tmp_path: Path) -> None:
    """The command's default host is this machine only; a real `huddle serve` takes a PUT."""
    import subprocess

    from huddle_tui.cli import build_parser
    from tests.http_helpers import listening_socket

    args = build_parser("serve").parse_args(["serve", "--shared", str(tmp_path)])
    assert args.host == "127.0.0.1"
    env = {**os.environ, "HUDDLE_SERVER_TOKENS": TOKEN}
    # The port stays bound here (never listening) while the server starts, so no other test is
    # handed it meanwhile; Linux still lets the server bind it, as both sockets allow address reuse.
    with listening_socket() as held:
        port = int(held.getsockname()[1])
        if sys.platform != "linux":  # elsewhere a second bind of the same address is refused
            held.close()
        proc = subprocess.Popen([sys.executable, "-m", "huddle_tui", "serve", "--shared", str(tmp_path),
                                 "--port", str(port)], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        log = ""
        try:
            # uvicorn logs this line once it listens; the pipe ends without it if the server exited.
            while "Uvicorn running on" not in log and (line := proc.stderr.readline()):
                log += line
            assert f"Uvicorn running on http://127.0.0.1:{port} " in log, log
            (record,) = make_records(tmp_path / "client", 1)
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=None,  # a loaded disk's fsync
                              headers={"Authorization": f"Bearer {TOKEN}"}) as c:
                response = put_json(c, record.id, wire.to_wire(record))
        finally:
            proc.terminate()
            out, err = proc.stdout.read(), log + proc.stderr.read()
            proc.wait()
    assert response.status_code == 201
    assert len(list((tmp_path / "records").rglob("*.json"))) == 1
    assert TOKEN not in out and TOKEN not in err


def test_the_document_names_every_kind_the_store_keeps() -> None:
    """docs/openapi.json's record kinds are exactly the ones every reader accepts (storage/envelope.KINDS).

    A kind added to the store and not to the document made clients built from it refuse
    what the server stores (peer circles and the anonymous totals' records were missing).
    """
    from huddle_tui.storage.envelope import KINDS

    record = OPENAPI["components"]["schemas"]["Record"]
    assert set(record["properties"]["kind"]["enum"]) == set(KINDS)
    branches = set()
    for branch in record["anyOf"]:
        kind = branch.get("properties", {}).get("kind", {})
        branches |= {kind["const"]} if "const" in kind else set(kind.get("enum", ()))
    assert branches == set(KINDS)
