"""The records API as a Starlette app: PUT a record version, GET records since a cursor.

Every token is scoped to one team (tokens.py): /v1/records/... reaches the
token's own team, /v1/teams/NAME/records/... names it, and a token of
another team (or an org token, which reads aggregates only) gets 404 there,
the same answer as for a team that does not exist, so names do not leak.

Every answer is JSON; every error is ``{"error": "<one line>", "status": N}``.
Checks run in this order, so a bad request never touches the store:
the path and method (404, 405), authentication (401 no token, 403 wrong
token), size (413), JSON (400), the record itself — schema, fields, a real
date, checksum, signature, what every store can keep (a version that fits,
no U+0000 in any string) and the payload rules every reader applies (422,
checks.py) — its id and Idempotency-Key against the path (409), then its
signer by the keys pinned for the team (422, keys.py) — and only then the
write. Authentication is Starlette's AuthenticationMiddleware with
a bearer-token backend, set on each route that needs a token (not on the
whole app), so an unknown path or method is answered before any token is
looked up and the health checks never look one up. The same id and version
with the same body is a replay (200); with another body it conflicts with
what is stored (422, as the IETF idempotency draft answers a key reused with
another payload; the error says which).
Parsing, checking and the fsync'd write run in a worker thread, never on the
event loop, and a PUT is acknowledged only once its file is on disk; a lock
per (id, version) makes the check-then-write one step (see state.py), so two
requests for one version cannot both write. Whatever goes wrong, the answer
is still that JSON: a bug gets a 500 and a log line without request data.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path

from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, BaseUser
from starlette.concurrency import run_in_threadpool
from starlette.endpoints import HTTPEndpoint
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from huddle_tui.errors import StoreError
from huddle_tui.server import checks
from huddle_tui.server.orgreport import build_report, week_window
from huddle_tui.server.store import BadCursor, FolderRecords, RecordStore
from huddle_tui.server.tokens import Scope as TokenScope
from huddle_tui.server.tokens import TokenBook, TokenSource
from huddle_tui.storage.envelope import CorruptRecord
from huddle_tui.sync import wire

MAX_BODY_BYTES = 64 * 1024
MAX_PAGE = 1000
log = logging.getLogger("huddle_tui.server")


def day_param(text: str) -> date | None:
    """A YYYY-MM-DD query parameter as a date from 1970 to 9998 (so its week is a real one too), or None."""
    return date.fromisoformat(text) if checks.is_calendar_date(text) else None


class ApiError(Exception):
    """An error answer: its status and one line saying why."""

    def __init__(self, status: int, message: str) -> None:
        """Keep the status and the message."""
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The JSON error body every failure uses."""
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="huddle"'}
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)


class CatchAll:
    """ASGI middleware: an exception no handler answered still gets a JSON 500, and a log line.

    The line names the request's method and path, the exception's type and
    where it was raised, never its message or the request's content: either
    could hold record text. (Starlette's own fallback is a plain-text 500 and
    uvicorn logs the whole exception.)
    """

    def __init__(self, app: ASGIApp) -> None:
        """Wrap the app."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; on an exception, log it and answer 500 unless an answer has begun."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            """Note whether the answer has begun (then it is too late to send another)."""
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            where = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
            log.error("%s %s failed with %s (a bug: please report it)\n%s",
                      scope["method"], scope["path"], type(exc).__name__, where.rstrip())
            if not started:
                await error_response(500, "internal server error (logged on the server)")(
                    scope, receive, send)


# ---------------------------------------------------------------- authentication

RECORDS, ORG_REPORT = "records", "org-report"  # what a token may reach: its auth scope


class Refused(AuthenticationError):
    """A request the bearer-token backend turns away: its status (401, 403 or 500) and one line why."""

    def __init__(self, status: int, message: str) -> None:
        """Keep the status and the message for the JSON error body."""
        super().__init__(message)
        self.status = status
        self.message = message


class TokenHolder(BaseUser):
    """Whoever presented an accepted token: the team it reaches (None: the org's aggregates)."""

    def __init__(self, scope: TokenScope) -> None:
        """Keep the token's scope; never the token."""
        self.team = scope.team
        self.key_id = scope.key_id

    @property
    def is_authenticated(self) -> bool:
        """Always: a holder exists only for an accepted token."""
        return True

    @property
    def display_name(self) -> str:
        """The team's name, or "org" for an org token."""
        return self.team or "org"

    @property
    def identity(self) -> str:
        """The token's id (the first hex digits of its hash), as `huddle serve tokens list` shows it."""
        return self.key_id


class BearerTokens(AuthenticationBackend):
    """Looks an ``Authorization: Bearer`` token up in a token source (a tokens file or the database).

    It guards only routes that need a token, so no token is a refusal here
    (401) rather than an anonymous user for every endpoint to turn away.
    """

    def __init__(self, book: TokenSource) -> None:
        """Use `book`: what it answers without I/O on the loop, a database lookup in a thread."""
        self.book = book

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        """401 without a bearer token, 403 with one not accepted, 500 when tokens cannot be checked."""
        scheme, _, given = conn.headers.get("authorization", "").partition(" ")
        given = given.strip()
        if scheme.lower() != "bearer" or not given:
            raise Refused(401, "missing bearer token (Authorization: Bearer TOKEN)")
        try:  # a database lookup must not stall the loop; a tokens file or a kept token need not leave it
            scope = self.book.known(given)
            if scope is None and not isinstance(self.book, TokenBook):
                scope = await run_in_threadpool(self.book.scope, given)
        except StoreError as exc:  # the tokens' database is down: not the client's fault, worth a retry
            log.error("%s %s: %s", conn.scope["method"], conn.url.path, exc.message)
            raise Refused(500, "the server cannot check tokens now; try again later") from None
        if scope is None:
            raise Refused(403, "token not accepted")
        return AuthCredentials([RECORDS if scope.team is not None else ORG_REPORT]), TokenHolder(scope)


def refused(conn: HTTPConnection, exc: AuthenticationError) -> Response:
    """The authentication middleware's answer to a refusal: the API's JSON error body."""
    assert isinstance(exc, Refused)
    return error_response(exc.status, exc.message)


# ---------------------------------------------------------------- endpoints


def store_of(request: Request) -> RecordStore:
    """The app's store, kept in app.state.huddle (where tools and tests find it too)."""
    store: RecordStore = request.app.state.huddle
    return store


def team_of(request: Request, what: str = "no such record") -> str:
    """The team a records request may reach: its token's, and only if the path names no other (404)."""
    holder: TokenHolder = request.user
    named = request.path_params.get("team")
    if holder.team is None or (named is not None and named != holder.team):  # an org token, another team
        raise ApiError(404, what)
    return holder.team


async def read_body(request: Request) -> bytes:
    """The request body, refusing (413) anything over the app's limit before reading it all."""
    limit: int = request.app.state.max_body
    declared = request.headers.get("content-length")
    if declared is not None and checks.whole_number(declared, 0, limit) is None:
        raise ApiError(413, f"request body over {limit} bytes")
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ApiError(413, f"request body over {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:  # gone, or closed for being too slow: nobody reads this answer
        raise ApiError(400, "the connection closed before the whole body arrived") from None
    return b"".join(chunks)


def check_and_store(store: RecordStore, team: str, rid: str, raw: bytes, key: str | None) -> Response:
    """Parse, check and durably store a PUT body (in a worker thread: it parses and fsyncs)."""
    if not wire.is_record_id(rid):
        raise ApiError(422, "the id in the path must be a lowercase UUID")
    try:
        obj = checks.parse_json(raw)
    except checks.BadInput as exc:
        raise ApiError(400, str(exc)) from None
    refusal = checks.body_refusal(raw, obj)
    if refusal is not None:
        raise ApiError(422, f"not a valid record: {refusal}")
    try:
        record, data = wire.from_wire(obj)
    except CorruptRecord as exc:
        raise ApiError(422, f"not a valid record: {exc}") from None
    if not checks.is_calendar_date(record.date):
        raise ApiError(422, f"not a valid record: date {record.date!r} is not a day from "
                            f"{checks.FIRST_YEAR} to {checks.LAST_YEAR} (YYYY-MM-DD)")
    refusal = checks.record_refusal(record)
    if refusal is not None:
        raise ApiError(422, f"not a valid record: {refusal}")
    if record.id != rid:  # the body is fine, but not for this path (RFC 9110 suggests 409)
        raise ApiError(409, "the record's id does not match the path")
    if key is not None and key != wire.idempotency_key(record.id, record.version):
        raise ApiError(409, "Idempotency-Key must be the record's id and version (ID.VERSION)")
    try:
        refusal = store.check(team, record)
        if refusal is not None:
            held = store.held(team, record.id, record.version)
            if held is None or held.checksum != record.checksum:  # else a retry of what was stored
                raise ApiError(422, refusal)
        stored = store.put(team, record, data)
    except StoreError as exc:  # the store, not the request, is at fault: worth a retry
        log.error("PUT %s: %s", rid, exc.message)
        raise ApiError(500, "the server cannot write to its store; try again later") from None
    if stored.conflict:
        raise ApiError(422, f"version {record.version} of this record is already stored with another body")
    body = {"id": record.id, "version": record.version, "checksum": record.checksum,
            "created": stored.created}
    return JSONResponse(body, status_code=201 if stored.created else 200)


class OneRecord(HTTPEndpoint):
    """/v1/records/{id}: one endpoint for both methods, so a 405 lists them all in Allow."""

    def get(self, request: Request) -> Response:
        """GET: the latest version of one record (sync, so in a worker thread: the store may be a DB)."""
        found = store_of(request).latest(team_of(request), request.path_params["id"])
        if found is None:
            raise ApiError(404, "no such record")
        return JSONResponse(wire.to_wire(found))

    async def put(self, request: Request) -> Response:
        """PUT: store one record version, idempotently; only reading the body runs on the loop."""
        team = team_of(request)
        raw = await read_body(request)
        return await run_in_threadpool(check_and_store, store_of(request), team, request.path_params["id"],
                                       raw, request.headers.get("idempotency-key"))


def list_records(request: Request) -> Response:
    """GET /v1/records?since=CURSOR&limit=N (sync: Starlette runs it in a thread; a page is big)."""
    team = team_of(request, "no such team")
    limit = checks.whole_number(request.query_params.get("limit", "500"), 1, MAX_PAGE)
    if limit is None:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_PAGE}")
    try:
        page = store_of(request).page(team, request.query_params.get("since"), limit)
    except BadCursor:
        raise ApiError(400, "since must be a cursor returned by this endpoint") from None
    return JSONResponse({"records": [wire.to_wire(r) for r in page.records],
                         "cursor": page.cursor, "more": page.more})


def org_report(request: Request) -> Response:
    """GET /v1/org/report?from=DAY&to=DAY: aggregates only, k ≥ 3 (an org token; any other 404)."""
    if ORG_REPORT not in request.auth.scopes:
        raise ApiError(404, "not found")
    today: Callable[[], date] = request.app.state.today
    params = request.query_params
    end = day_param(params["to"]) if "to" in params else today()
    start = day_param(params["from"]) if "from" in params else end and end - timedelta(days=27)
    if start is None or end is None:
        raise ApiError(400, f"from and to must be days, YYYY-MM-DD, from {checks.FIRST_YEAR} "
                            f"to {checks.LAST_YEAR}")
    if start > end:
        raise ApiError(400, "from must not be after to")
    start, end = week_window(start, end)  # whole weeks only: see orgreport.py
    start_text, end_text = start.isoformat(), end.isoformat()
    store = store_of(request)
    totals = store.opened_totals(start_text, end_text, today())
    return JSONResponse(build_report(store.answers(start_text, end_text), start_text, end_text, totals))


def healthz(request: Request) -> Response:
    """GET /healthz: the process answers (for a load balancer's liveness check; no token)."""
    return JSONResponse({"status": "ok"})


def readyz(request: Request) -> Response:
    """GET /readyz: the store answers too; 503 while it does not (no token)."""
    try:
        ok = store_of(request).ready()
    except Exception:  # any failure of the store means not ready, never a 500
        ok = False
    if not ok:
        return error_response(503, "the store is not reachable")
    return JSONResponse({"status": "ready"})


async def on_api_error(request: Request, exc: Exception) -> Response:
    """Our own refusals, as JSON."""
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message)


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own (unknown path 404, wrong method 405 with its Allow header), as JSON too."""
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), exc.headers)


def create_app(shared: Path | RecordStore, tokens: tuple[str, ...] | TokenSource, *,
               max_body: int = MAX_BODY_BYTES, durable: bool = True,
               today: Callable[[], date] = date.today) -> Starlette:
    """The ASGI app serving the records API over a store (a folder path: the folder store).

    Tokens are checked by middleware on the routes that need one, after
    routing, so an unknown path or method is answered first and the health
    checks never look a token up. The endpoints find the store and the
    limits in app.state, so each is a plain function (or, for one path with
    two methods, an HTTPEndpoint) rather than a closure over this call.
    """
    book = TokenBook(tokens) if isinstance(tokens, tuple) and tokens else tokens
    if isinstance(book, tuple):
        raise ValueError("the server needs at least one token")
    store = FolderRecords(shared, durable=durable) if isinstance(shared, Path) else shared
    token = [Middleware(AuthenticationMiddleware, backend=BearerTokens(book), on_error=refused)]
    routes = [
        Route("/v1/records", list_records, methods=["GET"], middleware=token),
        Route("/v1/records/{id}", OneRecord, methods=["GET", "PUT"], middleware=token),
        Route("/v1/teams/{team}/records", list_records, methods=["GET"], middleware=token),
        Route("/v1/teams/{team}/records/{id}", OneRecord, methods=["GET", "PUT"], middleware=token),
        Route("/v1/org/report", org_report, methods=["GET"], middleware=token),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(CatchAll)],
                    exception_handlers={ApiError: on_api_error, HTTPException: on_http_error})
    app.state.huddle, app.state.max_body, app.state.today = store, max_body, today
    return app
