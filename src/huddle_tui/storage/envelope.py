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
A signed record's body also names its signer's public key, and the file
carries the Ed25519 signature of the body's bytes after it::

    {"checksum":"sha256:<64 hex>","record":<body>,"signature":"<86 base64url>"}

A signature that does not verify makes the file unusable, like a checksum
that does not match: only whether the signer may speak for the record's
member is left to the reader (rules/authorship.py).
docs/record-format.md describes the format, the folder layout and the merge rule.
"""

import json
import re
from datetime import date as _date
from json.encoder import encode_basestring
from json.scanner import make_scanner
from typing import Any, Literal, NamedTuple, cast

from huddle_tui.errors import CorruptRecord
from huddle_tui.storage import signature as _signature
from huddle_tui.storage.json_keys import refuse_duplicate_keys, shape

SCHEMA_VERSION = 1
_HEAD = b'{"checksum":"sha256:'
_MID = b'","record":'
_BODY_START = len(_HEAD) + 64 + len(_MID)
_SIG_HEAD = b',"signature":"'
_SIG_TAIL = len(_SIG_HEAD) + 86 + 2  # the signature field and the closing quote and brace
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# The dates a record may be about: a real calendar date no earlier than 1970 (file times
# are set to a record's date) and before 9999 (so the day after always exists).
FIRST_DATE, LAST_DATE = "1970-01-01", "9998-12-31"
# Dates found real: a folder holds many records a date, so most checks are one set lookup.
_REAL_DATES: set[str] = set()
# Kinds and ids become folder and file names: a record read from a teammate or
# an endpoint must not be able to name a path outside its folder.
_KIND = re.compile(r"[a-z][a-z0-9_-]{0,31}\Z")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
_C1 = re.compile("[\x80-\x9f]")  # the C1 control range, escaped by dumps()
Kind = Literal["checkin", "concern", "huddle", "handoff", "away", "pairs", "pairmark", "signpost", "measure",
               "key", "circles", "circlenote", "session", "takeaway", "thanks", "sharekey", "daykeys",
               "contribution", "daylist", "reveal", "poolreveal"]
KINDS: tuple[Kind, ...] = ("checkin", "concern", "huddle", "handoff", "away", "pairs", "pairmark", "signpost",
                           "measure", "key", "circles", "circlenote", "session", "takeaway", "thanks",
                           # anonymous totals (totals/records.py): they travel like any record
                           "sharekey", "daykeys", "contribution", "daylist", "reveal", "poolreveal")
_KNOWN_KINDS = frozenset(KINDS)
MAX_FILE_BYTES = 1 << 20
# Nesting deeper than this is refused: no record of ours comes near it, and far deeper
# JSON makes the parser (or whoever walks the payload after it) exceed the recursion limit.
MAX_DEPTH = 32
FORGED = "signature does not match (forged, or damaged)"
# A signature decode() left to be verified later: (signer, signature, the signed body).
Unchecked = tuple[str, str, bytes]
__all__ = ["CorruptRecord", "Record", "decode", "dumps", "encode"]


def _no_constant(name: str) -> Any:
    """Refuse NaN and ±Infinity, which Python's json reads but no other JSON reader does."""
    raise ValueError(f"{name} is not JSON")


# The C scanner itself (JSONDecoder.raw_decode is a Python frame around it, on every record read).
_scan_json = make_scanner(cast(Any, json.JSONDecoder(parse_constant=_no_constant)))
_sha256: Any = None  # hashlib.sha256 once a file is read (a read through the index never needs OpenSSL)
_new = tuple.__new__  # builds a Record without NamedTuple's Python-level __new__


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
    signer: str = ""  # the signing key's public half ("" for a record made before keys existed)
    signature: str = ""

    def supersedes(self, other: "Record") -> bool:
        """The merge rule: highest version, then latest written_at, then highest checksum."""
        return (self.version, self.written_at, self.checksum) > (
            other.version, other.written_at, other.checksum)

    def file_name(self) -> str:
        """The record's file name: id, version and a checksum prefix, nothing about its author.

        The one place a name is written; parse_file_name() and named_version() read it.
        """
        return f"{self.id}.{self.version}.{self.checksum[:8]}{FILE_SUFFIX}"

    def as_json(self) -> dict[str, Any]:
        """The record as plain JSON data (its body), for export and the HTTP API."""
        body = {"schema": SCHEMA_VERSION, "kind": self.kind, "id": self.id,
                "version": self.version, "date": self.date, "written_at": self.written_at,
                "deleted": self.deleted, "payload": self.payload}
        if self.signer:
            body["signer"] = self.signer
        return body


# A record file's name, <id>.<version>.<sum8>.json (Record.file_name), and its parts as read back.
# Every record file a reader reads ends in FILE_SUFFIX: one under its own name, or a sync tool's
# copy of one (another name, such as "<id>.<version>.<sum8>.sync-conflict-….json").
FILE_SUFFIX = ".json"
_ID_RULE = _ID.pattern.removesuffix("\\Z")  # an id as the envelope accepts it, without the end
_FILE_NAME = re.compile(rf"({_ID_RULE})\.([1-9][0-9]*)\.([0-9a-f]{{8}}){re.escape(FILE_SUFFIX)}\Z")


def parse_file_name(name: str) -> tuple[str, int, str] | None:
    """(id, version, sum8) of a name as Record.file_name writes it; None for any other name.

    Only a name file_name() could have written parses (an id the envelope
    accepts, a version from 1 without leading zeros, eight lowercase hex
    digits), so a sync tool's copy or a hand-made file is never taken for one.
    """
    found = _FILE_NAME.match(name)
    return None if found is None else (found[1], int(found[2]), found[3])


def named_version(name: str, record_id: str) -> int:
    """The version a name claims for `record_id`, its own name or a copy's (0 for any other name).

    A copy keeps the "<id>.<version>." its tool copied it from, whatever it
    adds before ".json": the next version must be above it too, or a save
    would reuse a version a teammate already has.
    """
    if not name.startswith(record_id) or name[len(record_id):len(record_id) + 1] != "." \
            or not name.endswith(FILE_SUFFIX):
        return 0
    version = name[len(record_id) + 1:].split(".", 1)[0]
    return int(version) if version.isascii() and version.isdigit() else 0


def dumps(data: Any) -> str:
    """Compact, sorted JSON with C1 controls escaped too (json leaves U+0080–U+009F raw)."""
    text = "".join(_encode(data, 0)) if _encode is not None else \
        json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return _escape_c1(text)


def _not_json(value: Any) -> Any:
    """What json.dumps says of a value it cannot write."""
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _c_encoder() -> Any:
    """json.dumps(ensure_ascii=False, separators=(",", ":"), sort_keys=True)'s C encoder, made once.

    json.dumps builds an encoder on every call, as long as the encoding of a
    small record itself: export writes one line per record, and every save
    and server PUT encodes one. None where the C accelerator is missing.
    """
    from json import encoder

    make = getattr(encoder, "c_make_encoder", None)
    quote = getattr(encoder, "c_encode_basestring", None)
    if make is None or quote is None:
        return None
    # markers None: no cycle check (JSON data read from files or built here has no cycles; one
    # would end in a RecursionError instead of json's ValueError).
    return make(None, _not_json, quote, None, ":", ",", True, False, True)


_encode = _c_encoder()
_quote = encode_basestring  # the C quoting of that encoder (ensure_ascii=False)


def _escape_c1(text: str) -> str:
    """Escape the C1 control range, which some terminals obey as escape sequences.

    It runs on every save, export line and server PUT: ASCII text (most of it)
    and text without C1 return at C speed, with no per-character Python loop.
    """
    if text.isascii() or _C1.search(text) is None:
        return text
    return _C1.sub(_c1_escape, text)


def json_line(record: Record) -> str:
    """dumps(record.as_json()): export writes one per record, so the envelope is not built as a dict.

    Encoding the eight envelope keys (a dict made, sorted and walked) cost as
    much as a small payload; here only the payload goes through the encoder,
    and the envelope's scalars are put in place in sorted-key order.
    """
    kind, rid, version, date, written_at, deleted, payload, _, signer, _ = record
    if (_encode is None or version.__class__ is not int or deleted.__class__ is not bool
            or payload.__class__ is not dict or kind.__class__ is not str or rid.__class__ is not str
            or date.__class__ is not str or written_at.__class__ is not str or signer.__class__ is not str):
        return dumps(record.as_json())  # not as read from a file: the general path
    deleted_text, payload_text = "true" if deleted else "false", "".join(_encode(payload, 0))
    return _escape_c1(f'{{"date":{_quote(date)},"deleted":{deleted_text},"id":{_quote(rid)},'
                      f'"kind":{_quote(kind)},"payload":{payload_text},"schema":{SCHEMA_VERSION},'
                      f'{_signer_field(signer)}"version":{version},"written_at":{_quote(written_at)}}}')


def _signer_field(signer: str) -> str:
    """The body's "signer" key and value in json_line's sorted place (nothing when unsigned)."""
    return f'"signer":{_quote(signer)},' if signer else ""


def _c1_escape(match: re.Match[str]) -> str:
    """One C1 control as a JSON \\u escape (json.dumps leaves U+0080–U+009F raw)."""
    return f"\\u{ord(match.group()):04x}"


def encode(kind: str, id: str, version: int, date: str, written_at: str,
           payload: dict[str, Any], deleted: bool = False, *,
           key: _signature.SigningKey | None = None,
           signed: tuple[str, str] | None = None) -> tuple[Record, bytes]:
    """Build a record and the exact bytes of its file (ValueError if it could not be read back).

    `key` signs the body; `signed` (signer, signature) puts back a signature
    made elsewhere (a record received over HTTP), which the caller verifies
    by decoding the bytes.
    """
    if not _KIND.match(kind) or not _ID.match(id):
        raise CorruptRecord(f"unsafe kind or id for a file name: {kind!r} {id!r}")
    body_obj = {"schema": SCHEMA_VERSION, "kind": kind, "id": id, "version": version,
                "date": date, "written_at": written_at, "deleted": deleted, "payload": payload}
    signer = key.public if key is not None else signed[0] if signed is not None else ""
    if signer:
        body_obj["signer"] = signer
    import hashlib  # imported here: reading through the index never needs it

    body = dumps(body_obj).encode("utf-8")
    digest = hashlib.sha256(body).hexdigest()
    sig = key.sign(body) if key is not None else signed[1] if signed is not None else ""
    record = Record(kind, id, version, date, written_at, deleted, json.loads(body)["payload"], digest,
                    signer, sig)
    tail = b"}\n" if not signer else _SIG_HEAD + sig.encode("ascii", "replace") + b'"}\n'
    data = _HEAD + digest.encode() + _MID + body + tail
    if len(data) > MAX_FILE_BYTES:
        raise CorruptRecord(f"a record of {len(data)} bytes is over the {MAX_FILE_BYTES}-byte limit")
    return record, data


def decode(data: bytes, unchecked: list[Unchecked] | None = None) -> Record:
    """Parse and verify a record file's bytes, or raise CorruptRecord saying why.

    Trailing whitespace is allowed (a git checkout may turn the newline into
    CRLF); anything else outside the checksummed body makes the file corrupt.
    Given `unchecked`, a well-formed signature is put there to be verified
    later (a cold read verifies a folder's signatures on another thread while
    it parses the next folder: scan.py) and the record is returned as if it
    held; without, it is verified now.
    """
    data = data.rstrip(b"\r\n\t ")
    if not data.startswith(_HEAD) or not data.startswith(_MID, _BODY_START - len(_MID)):
        if not data:
            raise CorruptRecord("empty file")
        if not data.strip(b"\x00"):
            raise CorruptRecord("zero-filled file")
        raise CorruptRecord("not a huddle record (bad header)")
    if not data.endswith(b"}"):
        raise CorruptRecord("truncated (or damaged after the record)")
    signature = ""
    if data.endswith(b'"}'):  # signed: the body is followed by its signature
        if not data.startswith(_SIG_HEAD, len(data) - _SIG_TAIL) or len(data) < _BODY_START + _SIG_TAIL:
            raise CorruptRecord("damaged signature field")
        signature = data[len(data) - _SIG_TAIL + len(_SIG_HEAD):-2].decode("ascii", "replace")
        body = data[_BODY_START:len(data) - _SIG_TAIL]
    else:
        body = data[_BODY_START:-1]
    # A computed hex digest equal to the field also proves the field is well formed.
    digest = (_sha256 or _openssl_sha256())(body).hexdigest()
    if not data.startswith(digest.encode(), len(_HEAD)):
        raise CorruptRecord("checksum mismatch (damaged or edited by hand)")
    try:
        text = body.decode("utf-8")
        obj, end = _scan_json(text, 0)
    except StopIteration as missing:  # no value where one must be: as JSONDecoder.raw_decode says it
        error = json.JSONDecodeError("Expecting value", text, missing.value)
        raise CorruptRecord(f"invalid JSON ({error})") from None
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise CorruptRecord(f"invalid JSON ({exc})") from None
    except RecursionError:
        raise CorruptRecord(f"nested more than {MAX_DEPTH} deep") from None
    if end != len(text):
        raise CorruptRecord("invalid JSON (extra data after the record)")
    # Counting brackets is a C loop: a body of two objects and few lists is neither walked for its
    # depth nor for its strings; any other is walked once for both.
    braces = body.count(b"{")
    if braces == 2 and body.count(b"[") + braces <= MAX_DEPTH:
        refuse_duplicate_keys(body, obj, braces)
    else:
        strings, depth = shape(obj, MAX_DEPTH)
        if depth > MAX_DEPTH:
            raise CorruptRecord(f"nested more than {MAX_DEPTH} deep")
        refuse_duplicate_keys(body, obj, braces, strings)
    try:  # the envelope's fields, each looked up without a method call on the common path
        schema, kind, rid, version, date = obj["schema"], obj["kind"], obj["id"], obj["version"], obj["date"]
        written_at, payload, deleted = obj["written_at"], obj["payload"], obj.get("deleted", False)
    except (KeyError, TypeError, AttributeError):
        if obj.__class__ is not dict:
            raise CorruptRecord("record is not a JSON object") from None
        get = obj.get
        schema, kind, rid, version = get("schema"), get("kind"), get("id"), get("version")
        date, written_at, payload = get("date"), get("written_at"), get("payload")
        deleted = get("deleted", False)
    if (schema.__class__ is int and 1 <= schema <= SCHEMA_VERSION
            and kind.__class__ is str and (kind in _KNOWN_KINDS or _KIND.match(kind))
            and rid.__class__ is str and _ID.match(rid) and version.__class__ is int and version >= 1
            and date.__class__ is str and (date in _REAL_DATES or is_date(date))
            and written_at.__class__ is str
            and deleted.__class__ is bool and payload.__class__ is dict):
        signer = obj.get("signer", "")
        if signer or signature:
            if not _signature.is_public_key(signer):
                raise CorruptRecord("a signature without a signer (or a signer that is no key)")
            if not signature:
                raise CorruptRecord("signed by a key but carries no signature")
            if unchecked is not None:
                unchecked.append((signer, signature, body))
            elif not _signature.verify(signer, signature, body):
                raise CorruptRecord(FORGED)
        return _new(Record, (kind, rid, version, date, written_at, deleted, payload, digest, signer,
                             signature))
    raise CorruptRecord(_invalid(schema, kind, rid, version, date, written_at, deleted, payload))


def _openssl_sha256() -> Any:
    """hashlib.sha256, imported on the first file read."""
    global _sha256
    import hashlib

    _sha256 = hashlib.sha256
    return _sha256


def is_date(text: str) -> bool:
    """Tell whether text is a real calendar date YYYY-MM-DD within the years records may have."""
    if not _DATE.match(text) or not FIRST_DATE <= text <= LAST_DATE:
        return False
    try:
        _date.fromisoformat(text)
    except ValueError:  # 2026-02-30 matches the pattern but is no day
        return False
    _REAL_DATES.add(text)
    return True


def _invalid(schema: Any, kind: Any, rid: Any, version: Any, date: Any, written_at: Any,
             deleted: Any, payload: Any) -> str:
    """Say which envelope field is wrong (only called once a record failed the combined test)."""
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        return "missing schema version"
    if schema > SCHEMA_VERSION:
        return f"schema {schema} is newer than this huddle-tui ({SCHEMA_VERSION}); upgrade"
    if not isinstance(kind, str) or not _KIND.match(kind) or not isinstance(rid, str) or not _ID.match(rid):
        return "missing or unsafe kind or id"
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return "bad version"
    if not isinstance(date, str):
        return "bad date"
    if not _DATE.match(date):
        return f"bad date {date[:40]!r}"
    if not is_date(date):
        return f"no such date {date} (or outside {FIRST_DATE}..{LAST_DATE})"
    if not isinstance(written_at, str) or not isinstance(deleted, bool):
        return "bad written_at or deleted"
    if not isinstance(payload, dict):
        return "payload is not an object"
    return "unreadable envelope"
