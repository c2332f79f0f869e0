"""The records API as a Starlette app: PUT a record version, GET records since a cursor.

Every answer is JSON; every error is ``{"error": "<one line>", "status": N}``.
Checks run in this order, so a bad request never touches the store:
authentication (401 no token, 403 wrong token), size (413), JSON (400),
the record itself — schema, fields, a real date, checksum, id and Idempotency-Key
matching the path (422) — and only then the write. The same id and version
with the same body is a replay (200); with another body it conflicts with
what is stored (409).
Parsing, checking and the fsync'd write run in a worker thread, never on the
event loop, and a PUT is acknowledged only once its file is on disk; a lock
per (id, version) makes the check-then-write one step (see state.py), so two
requests for one version cannot both write. Whatever goes wrong, the answer
is still that JSON: a bug gets a 500 and a log line without request data.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from huddle_tui.errors import StoreError
from huddle_tui.server import checks
from huddle_tui.server.state import ServerState
from huddle_tui.server.tokens import token_ok
from huddle_tui.storage.envelope import CorruptRecord
from huddle_tui.sync import wire

MAX_BODY_BYTES = 64 * 1024
MAX_PAGE = 1000
log = logging.getLogger("huddle_tui.server")


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


def create_app(shared: Path, tokens: tuple[str, ...], *, max_body: int = MAX_BODY_BYTES,
               durable: bool = True) -> Starlette:
    """The ASGI app serving the records API over the shared folder `shared`."""
    if not tokens:
        raise ValueError("the server needs at least one token")
    state = ServerState(shared, durable=durable)

    def authenticate(request: Request) -> None:
        """401 without a bearer token, 403 with one that is not accepted."""
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise ApiError(401, "missing bearer token (Authorization: Bearer TOKEN)")
        if not token_ok(given.strip(), tokens):
            raise ApiError(403, "token not accepted")

    async def read_body(request: Request) -> bytes:
        """The request body, refusing (413) anything over the limit before reading it all."""
        declared = request.headers.get("content-length")
        if declared is not None and checks.whole_number(declared, 0, max_body) is None:
            raise ApiError(413, f"request body over {max_body} bytes")
        chunks, size = [], 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_body:
                    raise ApiError(413, f"request body over {max_body} bytes")
                chunks.append(chunk)
        except ClientDisconnect:  # gone, or closed for being too slow: nobody reads this answer
            raise ApiError(400, "the connection closed before the whole body arrived") from None
        return b"".join(chunks)

    async def record(request: Request) -> Response:
        """/v1/records/{id}: one route for both methods, so a 405 lists them all in Allow."""
        if request.method == "PUT":
            return await put_record(request)
        return get_record(request)

    async def put_record(request: Request) -> Response:
        """PUT /v1/records/{id}: store one record version, idempotently."""
        authenticate(request)
        raw = await read_body(request)
        return await run_in_threadpool(check_and_store, request.path_params["id"], raw,
                                       request.headers.get("idempotency-key"))

    def check_and_store(rid: str, raw: bytes, key: str | None) -> Response:
        """Parse, check and durably store a PUT body (in a worker thread: it parses and fsyncs)."""
        if not wire.is_record_id(rid):
            raise ApiError(422, "the id in the path must be a lowercase UUID")
        try:
            obj = checks.parse_json(raw)
        except checks.BadInput as exc:
            raise ApiError(400, str(exc)) from None
        try:
            record, data = wire.from_wire(obj)
        except CorruptRecord as exc:
            raise ApiError(422, f"not a valid record: {exc}") from None
        if not checks.is_calendar_date(record.date):
            raise ApiError(422, f"not a valid record: date {record.date!r} is not a day from "
                                f"{checks.FIRST_YEAR} to {checks.LAST_YEAR} (YYYY-MM-DD)")
        if record.id != rid:
            raise ApiError(422, "the record's id does not match the path")
        if key is not None and key != wire.idempotency_key(record.id, record.version):
            raise ApiError(422, "Idempotency-Key must be the record's id and version (ID.VERSION)")
        try:
            stored = state.put(record, data)
        except StoreError as exc:  # the folder, not the request, is at fault: worth a retry
            log.error("PUT %s: %s", rid, exc.message)
            raise ApiError(500, "the server cannot write to its folder; try again later") from None
        if stored.conflict:
            raise ApiError(409, f"version {record.version} of this record is already stored "
                                "with another body")
        body = {"id": record.id, "version": record.version, "checksum": record.checksum,
                "created": stored.created}
        return JSONResponse(body, status_code=201 if stored.created else 200)

    def get_record(request: Request) -> Response:
        """GET /v1/records/{id}: the latest version of one record."""
        authenticate(request)
        found = state.latest.get(request.path_params["id"])
        if found is None:
            raise ApiError(404, "no such record")
        return JSONResponse(wire.to_wire(found))

    def list_records(request: Request) -> Response:
        """GET /v1/records?since=CURSOR&limit=N (sync: Starlette runs it in a thread; a page is big)."""
        authenticate(request)
        position = state.position(request.query_params.get("since"))
        if position is None:
            raise ApiError(400, "since must be a cursor returned by this endpoint")
        limit = checks.whole_number(request.query_params.get("limit", "500"), 1, MAX_PAGE)
        if limit is None:
            raise ApiError(400, f"limit must be a whole number from 1 to {MAX_PAGE}")
        records, end, more = state.page(position, limit)
        return JSONResponse({"records": [wire.to_wire(r) for r in records],
                             "cursor": state.cursor(end), "more": more})

    async def on_api_error(request: Request, exc: Exception) -> Response:
        """Our own refusals, as JSON."""
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.message)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        """Starlette's own (unknown path 404, wrong method 405 with its Allow header), as JSON too."""
        assert isinstance(exc, HTTPException)
        return error_response(exc.status_code, str(exc.detail), exc.headers)

    app = Starlette(routes=[
        Route("/v1/records", list_records, methods=["GET"]),
        Route("/v1/records/{id}", record, methods=["GET", "PUT"]),
    ], middleware=[Middleware(CatchAll)],
        exception_handlers={ApiError: on_api_error, HTTPException: on_http_error})
    app.state.huddle = state
    return app
