"""Records on the wire: the JSON the HTTP API carries, and its checks.

A record travels as its envelope body (see envelope.py) plus its checksum::

    {"schema": 1, "kind": "checkin", "id": "…", "version": 2, "date": "2026-11-26",
     "written_at": "…", "deleted": false, "payload": {…}, "checksum": "<64 hex>"}

A signed record also has "signer" (in the body) and "signature" (beside
it). Re-encoding the fields reproduces the checksum exactly, so the receiver
(the reference server, or a client pulling teammates' records) verifies
that nothing was changed on the way, checks the signature, and gets back
the very bytes of the file.
"""

from __future__ import annotations

import re
from typing import Any

from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import SCHEMA_VERSION, CorruptRecord, Record

FIELDS = ("schema", "kind", "id", "version", "date", "written_at", "deleted", "payload", "checksum",
          "signer", "signature")
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def to_wire(record: Record) -> dict[str, Any]:
    """A record as the API's JSON object."""
    obj = {**record.as_json(), "checksum": record.checksum}
    if record.signature:
        obj["signature"] = record.signature
    return obj


def body(record: Record) -> bytes:
    """A record as the bytes of a PUT body."""
    return envelope.dumps(to_wire(record)).encode("utf-8")


def idempotency_key(record_id: str, version: int) -> str:
    """The Idempotency-Key of one record version: the same on every retry, on every machine."""
    return f"{record_id}.{version}"


def is_record_id(text: str) -> bool:
    """Tell whether text is a lowercase UUID, the only ids records have (and safe in a path)."""
    return bool(_ID.match(text))


def from_wire(obj: Any) -> tuple[Record, bytes]:
    """Check an API object and rebuild the record and its file bytes, or raise CorruptRecord."""
    if not isinstance(obj, dict):
        raise CorruptRecord("expected a JSON object")
    unknown = sorted(set(obj) - set(FIELDS))
    if unknown:
        raise CorruptRecord(f"unknown field {unknown[0]!r}")
    schema = obj.get("schema")
    if schema != SCHEMA_VERSION or isinstance(schema, bool):
        raise CorruptRecord(f"schema must be {SCHEMA_VERSION}, got {schema!r}")
    checksum = obj.get("checksum")
    if not isinstance(checksum, str):
        raise CorruptRecord("missing checksum")
    rid = obj.get("id")
    if not isinstance(rid, str) or not is_record_id(rid):
        raise CorruptRecord("id must be a lowercase UUID")
    kind = obj.get("kind")
    if kind not in envelope.KINDS:
        raise CorruptRecord(f"kind must be one of {', '.join(envelope.KINDS)}")
    signer, signature = obj.get("signer"), obj.get("signature")
    if (signer is None) != (signature is None):
        raise CorruptRecord("a signed record needs both signer and signature")
    if signer is not None and (not isinstance(signer, str) or not isinstance(signature, str)
                               or len(signature) != 86):
        raise CorruptRecord("signer and signature must be base64url strings")
    try:
        record, data = envelope.encode(kind, rid, obj["version"], obj["date"], obj["written_at"],
                                       obj["payload"], obj.get("deleted", False),
                                       signed=(signer, str(signature)) if signer is not None else None)
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptRecord(f"incomplete record ({type(exc).__name__}: {exc})") from None
    checked = envelope.decode(data)  # the same field checks a file read gets
    if checked.checksum != checksum:
        raise CorruptRecord("checksum mismatch (the record was changed on the way)")
    return record, data
