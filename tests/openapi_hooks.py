"""Schemathesis hooks: a PUT made consistent the way every client makes it, for what JSON Schema cannot say.

docs/openapi.json describes each field, but not how they tie together: the
checksum is the SHA-256 of the record's envelope body, the body's id is the
path's, an Idempotency-Key is that id and version, and integers are written
as integers (JSON Schema counts 2.0 as an integer; the record format does not);
nor that an away record's `to` is not before its `from`, that a pairs record
names each member once, or that the org report's `from` is not after its `to`
(default today). A generated case
satisfies none of that by chance, so every PUT would be refused (422) and
none would reach a stored record. This hook ties them together before each
call — in negative cases too, so the field schemathesis broke is the only
fault left and the server must refuse the request for it. Schemathesis
re-checks a case a hook changed against the schema before judging the answer.

Loaded by `schemathesis run` through $SCHEMATHESIS_HOOKS (see test_openapi_conformance.py).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

import schemathesis
from schemathesis import Case, HookContext

from huddle_tui.storage import envelope

_BODY_FIELDS = ("kind", "id", "version", "date", "written_at", "payload")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def _body_bytes(body: dict[str, Any]) -> bytes | None:
    """The envelope body's bytes the server computes for this body, or None when it cannot have one."""
    if not all(name in body for name in _BODY_FIELDS):
        return None
    envelope_body = {"schema": envelope.SCHEMA_VERSION, "deleted": body.get("deleted", False),
                     **{name: body[name] for name in _BODY_FIELDS}}
    if "signer" in body:
        envelope_body["signer"] = body["signer"]
    try:
        return envelope.dumps(envelope_body).encode("utf-8")
    except (TypeError, ValueError):  # not JSON data, or a lone surrogate that is no UTF-8
        return None


def checksum(body: dict[str, Any]) -> str | None:
    """The checksum the server computes for this body, or None when the body cannot have one."""
    data = _body_bytes(body)
    return None if data is None else hashlib.sha256(data).hexdigest()


def whole_numbers(value: Any) -> Any:
    """JSON data with every float that is a whole number written as an integer, as clients write them."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, dict):
        return {key: whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [whole_numbers(item) for item in value]
    return value


def as_a_client_writes(kind: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """A payload with what its schema cannot say made true: an away's dates in order, names once.

    Pairs' and circles' names are made distinct; a circle's order and facilitator are its members';
    a session's facilitator is in its room; a thanks goes to someone else.
    """
    payload = dict(payload)
    start, end = payload.get("from"), payload.get("to")
    if kind == "away" and isinstance(start, str) and isinstance(end, str) and end < start:
        payload["from"], payload["to"] = end, start
    groups = payload.get("groups")
    if kind == "pairs" and isinstance(groups, list):
        seen: set[str] = set()
        payload["groups"] = [[_unique(name, seen) if isinstance(name, str) else name for name in group]
                             if isinstance(group, list) else group for group in groups]
    circles = payload.get("circles")
    if kind == "circles" and isinstance(circles, list):
        taken: set[str] = set()
        for circle in circles:
            members = circle.get("members") if isinstance(circle, dict) else None
            if isinstance(members, list) and all(isinstance(name, str) for name in members):
                circle["members"] = [_unique(name, taken) for name in members]
                circle["order"], circle["facilitator"] = list(circle["members"]), circle["members"][0]
    members = payload.get("members")
    if kind == "session" and isinstance(members, list) and members and isinstance(members[0], str):
        payload["facilitator"] = members[0]  # a session's facilitator is one of its room
    member, to = payload.get("member"), payload.get("to")
    if kind == "thanks" and isinstance(member, str) and isinstance(to, str) \
            and to.casefold() == member.casefold():
        payload["to"] = f"{to} 2"  # a member thanks someone else
    return payload


def _unique(name: str, seen: set[str]) -> str:
    """`name`, or it with a number after it if that is taken (case-blind); noted as taken."""
    candidate, number = name, 1
    while candidate.casefold() in seen:
        number += 1
        candidate = f"{name} {number}"
    seen.add(candidate.casefold())
    return candidate


@schemathesis.hook
def before_call(context: HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
    """Give a PUT the path's id, integers as integers, the Idempotency-Key, its checksum and signature."""
    if case.path == "/v1/org/report" and isinstance(case.query, dict):
        start, end = case.query.get("from"), case.query.get("to", date.today().isoformat())
        if isinstance(start, str) and isinstance(end, str) and _DAY.match(start) and _DAY.match(end) \
                and start > end:  # a client asks for a range the right way round
            case.query["from"], case.query["to"] = end, start
        return
    if case.method.upper() != "PUT" or not isinstance(case.body, dict):
        return
    body = whole_numbers(dict(case.body))
    payload = body.get("payload")
    if isinstance(payload, dict):
        body["payload"] = as_a_client_writes(body.get("kind"), payload)
    path_id = case.path_parameters.get("id")
    if "id" in body and isinstance(path_id, str):
        body["id"] = path_id
    # Sent unsigned, as a record from before keys: fuzzed with signatures, the team-scoped PUT draws
    # schemathesis's "mostly rejected" warning although every answer checked out. Signed PUTs
    # through a real server are tested in tests/test_signed_records.py.
    body.pop("signer", None)
    body.pop("signature", None)
    if "checksum" in body:
        body["checksum"] = checksum(body) or body["checksum"]
    case.body = body
    if "Idempotency-Key" in case.headers and "version" in body:
        key = f"{body.get('id')}.{body['version']}"
        # Only a value a client could send: a broken id or version (a negative case) made into a
        # header with a CR or non-Latin-1 text fails in the HTTP library, before any server sees it.
        if key.isascii() and key.isprintable():
            case.headers["Idempotency-Key"] = key


CONFLICT = "already stored with another body"


@schemathesis.check
def valid_records_refused_only_as_conflicts(ctx: Any, response: Any, case: Case[Any]) -> None:
    """A schema-valid PUT may get 422 only as a conflict (its id and version hold another body).

    tests/schemathesis.toml lets positive PUTs have 422, which the server also
    answers for a record it finds invalid; this check keeps the difference:
    any other 422 to valid data is the failure schemathesis would report.
    """
    from schemathesis.openapi.checks import RejectedPositiveData

    meta = case.meta
    if (meta is None or not meta.generation.mode.is_positive or case.method.upper() != "PUT"
            or response.status_code != 422 or CONFLICT in response.text):
        return
    raise RejectedPositiveData(operation=case.operation.label, status_code=response.status_code,
                               message=f"Valid data should have been accepted: {response.text}",
                               allowed_statuses=["2xx", "422 (a conflict only)"])
