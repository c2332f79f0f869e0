"""The records API as a Starlette app: PUT a record version, GET records since a cursor.

Every answer is JSON; every error is ``{"error": "<one line>", "status": N}``.
Checks run in this order, so a bad request never touches the store:
authentication (401 no token, 403 wrong token), size (413), JSON (400),
the record itself — schema, fields, checksum, id and Idempotency-Key
matching the path (422) — and only then the write. The same id and version
with the same body is a replay (200); with another body it is 422.
The whole check-then-write runs without an await, so two requests for one
version cannot both write.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from huddle_tui.server.state import ServerState
from huddle_tui.server.tokens import token_ok
from huddle_tui.storage.envelope import CorruptRecord
from huddle_tui.sync import wire

MAX_BODY_BYTES = 64 * 1024
MAX_PAGE = 1000


class ApiError(Exception):
    """An error answer: its status and one line saying why."""

    def __init__(self, status: int, message: str) -> None:
        """Keep the status and the message."""
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str) -> JSONResponse:
    """The JSON error body every failure uses."""
    headers = {"WWW-Authenticate": 'Bearer realm="huddle"'} if status == 401 else None
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)


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
        if declared is not None and (not declared.isdigit() or int(declared) > max_body):
            raise ApiError(413, f"request body over {max_body} bytes")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body:
                raise ApiError(413, f"request body over {max_body} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def put_record(request: Request) -> Response:
        """PUT /v1/records/{id}: store one record version, idempotently."""
        authenticate(request)
        rid = request.path_params["id"]
        raw = await read_body(request)
        if not wire.is_record_id(rid):
            raise ApiError(422, "the id in the path must be a lowercase UUID")
        try:
            obj: Any = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "the body is not valid JSON") from None
        try:
            record, data = wire.from_wire(obj)
        except CorruptRecord as exc:
            raise ApiError(422, f"not a valid record: {exc}") from None
        if record.id != rid:
            raise ApiError(422, "the record's id does not match the path")
        key = request.headers.get("idempotency-key")
        if key is not None and key != wire.idempotency_key(record.id, record.version):
            raise ApiError(422, "Idempotency-Key must be the record's id and version (ID.VERSION)")
        stored = state.put(record, data)
        if stored.conflict:
            raise ApiError(422, f"version {record.version} of this record is already stored "
                                "with another body")
        body = {"id": record.id, "version": record.version, "checksum": record.checksum,
                "created": stored.created}
        return JSONResponse(body, status_code=201 if stored.created else 200)

    async def get_record(request: Request) -> Response:
        """GET /v1/records/{id}: the latest version of one record."""
        authenticate(request)
        record = state.latest.get(request.path_params["id"])
        if record is None:
            raise ApiError(404, "no such record")
        return JSONResponse(wire.to_wire(record))

    async def list_records(request: Request) -> Response:
        """GET /v1/records?since=CURSOR&limit=N: record versions in arrival order."""
        authenticate(request)
        position = state.position(request.query_params.get("since"))
        if position is None:
            raise ApiError(400, "since must be a cursor returned by this endpoint")
        limit_text = request.query_params.get("limit", "500")
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_PAGE:
            raise ApiError(400, f"limit must be a whole number from 1 to {MAX_PAGE}")
        records, end, more = state.page(position, int(limit_text))
        return JSONResponse({"records": [wire.to_wire(r) for r in records],
                             "cursor": state.cursor(end), "more": more})

    async def on_api_error(request: Request, exc: Exception) -> Response:
        """Our own refusals, as JSON."""
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.message)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        """Starlette's own (unknown path 404, wrong method 405), as JSON too."""
        assert isinstance(exc, HTTPException)
        return error_response(exc.status_code, str(exc.detail))

    app = Starlette(routes=[
        Route("/v1/records", list_records, methods=["GET"]),
        Route("/v1/records/{id}", put_record, methods=["PUT"]),
        Route("/v1/records/{id}", get_record, methods=["GET"]),
    ], exception_handlers={ApiError: on_api_error, HTTPException: on_http_error})
    app.state.huddle = state
    return app
