"""The on-disk record format: one immutable, checksummed JSON file per record version.

A file holds exactly::

    {"checksum":"sha256:<64 hex>","record":<body>}

where <body> is compact JSON with sorted keys and the checksum is the SHA-256
of <body>'s UTF-8 bytes as they stand in the file, so a reader verifies it
without re-serialising. The body is::

    {"schema": 1, "kind": "checkin", "id": "<uuid>", "version": 3,
     "date": "2026-11-26", "written_at": "2026-11-26T08:59:12Z",
     "deleted": false, "payload": {...}}

An edit is a new version; a deletion is a version with "deleted": true.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

SCHEMA_VERSION = 1
_HEAD = b'{"checksum":"sha256:'
_MID = b'","record":'
_BODY_START = len(_HEAD) + 64 + len(_MID)
_HEX = re.compile(rb"[0-9a-f]{64}\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
KINDS = ("checkin", "concern", "huddle", "handoff")


class Record(NamedTuple):
    """One version of one record, as read from or written to a file."""

    kind: str
    id: str
    version: int
    date: str
    written_at: str
    deleted: bool
    payload: dict[str, Any]
    checksum: str

    def supersedes(self, other: Record) -> bool:
        """The merge rule: highest version, then latest written_at, then highest checksum."""
        return (self.version, self.written_at, self.checksum) > (
            other.version, other.written_at, other.checksum)

    def file_name(self) -> str:
        """The record's file name: id, version and a checksum prefix, nothing about its author."""
        return f"{self.id}.{self.version}.{self.checksum[:8]}.json"

    def as_json(self) -> dict[str, Any]:
        """The record as plain JSON data, for export and the HTTP API."""
        return {"schema": SCHEMA_VERSION, "kind": self.kind, "id": self.id,
                "version": self.version, "date": self.date, "written_at": self.written_at,
                "deleted": self.deleted, "payload": self.payload}


class CorruptRecord(ValueError):
    """A file that is not a whole, intact record; the message says why."""


def dumps(data: Any) -> str:
    """Compact, sorted JSON with C1 controls escaped too (json leaves U+0080–U+009F raw)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return _escape_c1(text)


def _escape_c1(text: str) -> str:
    """Escape the C1 control range, which some terminals obey as escape sequences."""
    if not any("\x80" <= ch <= "\x9f" for ch in text):
        return text
    return "".join(f"\\u{ord(ch):04x}" if "\x80" <= ch <= "\x9f" else ch for ch in text)


def encode(kind: str, id: str, version: int, date: str, written_at: str,
           payload: dict[str, Any], deleted: bool = False) -> tuple[Record, bytes]:
    """Build a record and the exact bytes of its file."""
    body_obj = {"schema": SCHEMA_VERSION, "kind": kind, "id": id, "version": version,
                "date": date, "written_at": written_at, "deleted": deleted, "payload": payload}
    import hashlib  # imported here: reading through the index never needs it

    body = dumps(body_obj).encode("utf-8")
    digest = hashlib.sha256(body).hexdigest()
    record = Record(kind, id, version, date, written_at, deleted, json.loads(body)["payload"], digest)
    return record, _HEAD + digest.encode() + _MID + body + b"}\n"


def decode(data: bytes) -> Record:
    """Parse and verify a record file's bytes, or raise CorruptRecord saying why."""
    data = data.rstrip(b"\r\n\t ")
    if not data:
        raise CorruptRecord("empty file")
    if data.strip(b"\x00") == b"":
        raise CorruptRecord("zero-filled file")
    if not data.startswith(_HEAD) or data[_BODY_START - len(_MID):_BODY_START] != _MID:
        raise CorruptRecord("not a huddle record (bad header)")
    digest = data[len(_HEAD):len(_HEAD) + 64]
    if not _HEX.match(digest):
        raise CorruptRecord("bad checksum field")
    if not data.endswith(b"}"):
        raise CorruptRecord("truncated")
    body = data[_BODY_START:-1]
    import hashlib

    if hashlib.sha256(body).hexdigest().encode() != digest:
        raise CorruptRecord("checksum mismatch (damaged or edited by hand)")
    try:
        obj = json.loads(body)
    except ValueError as exc:
        raise CorruptRecord(f"invalid JSON ({exc})") from None
    return _validate(obj, digest.decode())


def _validate(obj: Any, digest: str) -> Record:
    """Check the envelope's fields and build the Record."""
    if not isinstance(obj, dict):
        raise CorruptRecord("record is not a JSON object")
    schema = obj.get("schema")
    if not isinstance(schema, int) or schema < 1:
        raise CorruptRecord("missing schema version")
    if schema > SCHEMA_VERSION:
        raise CorruptRecord(f"schema {schema} is newer than this huddle-tui ({SCHEMA_VERSION}); upgrade")
    kind, rid, version = obj.get("kind"), obj.get("id"), obj.get("version")
    date, written_at, payload = obj.get("date"), obj.get("written_at"), obj.get("payload")
    deleted = obj.get("deleted", False)
    if not isinstance(kind, str) or not isinstance(rid, str) or not rid:
        raise CorruptRecord("missing kind or id")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CorruptRecord("bad version")
    if not isinstance(date, str) or not _DATE.match(date):
        raise CorruptRecord("bad date")
    if not isinstance(written_at, str) or not isinstance(deleted, bool):
        raise CorruptRecord("bad written_at or deleted")
    if not isinstance(payload, dict):
        raise CorruptRecord("payload is not an object")
    return Record(kind, rid, version, date, written_at, deleted, payload, digest)
