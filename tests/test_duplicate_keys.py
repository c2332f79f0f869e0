"""A key twice in one object of a record's JSON makes it a damaged record, at any depth and however spaced.

Python's json would keep the last value without a word (`"mood":5,"mood":1` reads as 1), where
another reader may keep the first: such a file is set aside and reported like a bad checksum.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huddle_tui.config.team import TeamConfig
from huddle_tui.storage.envelope import MAX_DEPTH, CorruptRecord, decode
from huddle_tui.storage.json_keys import shape, strings_in
from tests.conftest import cli

ENVELOPE = ('"date":"2026-11-26","deleted":false,"id":"r1","kind":"checkin","schema":1,'
            '"version":1,"written_at":"2026-11-26T08:59:12.000000Z"')


def file_bytes(body: str) -> bytes:
    """A record file around `body` exactly as given, with a checksum that matches it."""
    raw = body.encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest().encode()
    return b'{"checksum":"sha256:' + digest + b'","record":' + raw + b"}\n"


def with_payload(payload: str, envelope: str = ENVELOPE) -> bytes:
    """A record file whose payload is the JSON text `payload`."""
    return file_bytes("{" + envelope + ',"payload":' + payload + "}")


GOOD = '{"concerns":[{"id":"c1","kind":"blocker","text":"CI \\"red\\": again"}],"member":"Ana","mood":4}'
REPEATS = {
    "payload": '{"member":"Ana","mood":5,"mood":1}',
    "payload, spaced before the colon": '{"member":"Ana","mood":5,"mood" :1}',
    "payload, a tab before the colon": '{"member":"Ana","mood":5,"mood"\t:1}',
    "payload, a newline before the colon": '{"member":"Ana","mood"\n:5,"mood":1}',
    "a concern in a list": '{"concerns":[{"id":"c1","text":"a","text":"b"}],"member":"Ana","mood":4}',
    "three deep": '{"concerns":[{"followup":{"owner":"Ben","owner":"Chen"},"id":"c"}],"mood":4}',
    "a quote-colon inside a string hides one": '{"member":"Ana \\":","mood":5,"mood" :1}',
    "escaped key spelling": '{"mood":5,"m\\u006fod":1}',
}


def test_a_record_with_each_key_once_reads_whatever_its_spacing() -> None:
    """Quotes, colons and spaces inside strings, and spaces around the colons, are no repeat."""
    assert decode(with_payload(GOOD)).payload["mood"] == 4
    spaced = '{ "member" : "Ana \\" : x" ,\n\t"mood"\r\n: 4 }'
    assert decode(with_payload(spaced)).payload == {"member": 'Ana " : x', "mood": 4}


@pytest.mark.parametrize("where", list(REPEATS))
def test_a_key_twice_in_the_payload_is_a_damaged_record(where: str) -> None:
    """`"mood":5,"mood":1` is refused, not read as 1, wherever it sits and however it is spaced."""
    with pytest.raises(CorruptRecord, match="duplicate key"):
        decode(with_payload(REPEATS[where]))


def test_a_key_twice_in_the_envelope_is_a_damaged_record() -> None:
    """The envelope too: a second version or kind would change which record wins or what it is."""
    for twice in ('"version":1,"version":9', '"kind":"checkin","kind":"huddle"'):
        with pytest.raises(CorruptRecord, match="duplicate key"):
            decode(with_payload('{"mood":4}', ENVELOPE + "," + twice))


# A JSON object as the list of its pairs, so a generated one can hold a key twice.
Pairs = list[tuple[str, Any]]
keys = st.sampled_from(["mood", "member", "text", "a", "m\u00f6od", 'q"', "c:"])
scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.text(alphabet='ab ":\\{}\u00e9', max_size=6)


def objects(children: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[str, Pairs]]:
    """An object (tagged, so lists of pairs stay apart from JSON arrays)."""
    return st.lists(st.tuples(keys, children), max_size=5).map(lambda pairs: ("object", pairs))


values = st.recursive(scalars, lambda inner: objects(inner) | st.lists(inner, max_size=3), max_leaves=12)
spacing = st.sampled_from(["", " ", "\t", "\n ", "\r\n"])


def write(value: Any, gap: str) -> str:
    """JSON text of a generated value, with `gap` around every colon and comma."""
    if isinstance(value, tuple):
        return "{" + ("," + gap).join(f"{json.dumps(k)}{gap}:{gap}{write(v, gap)}" for k, v in value[1]) + "}"
    if isinstance(value, list):
        return "[" + ("," + gap).join(write(v, gap) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def repeats(value: Any) -> bool:
    """Whether any object in a generated value names a key twice."""
    if isinstance(value, tuple):
        names = [k for k, _ in value[1]]
        return len(set(names)) < len(names) or any(repeats(v) for _, v in value[1])
    return isinstance(value, list) and any(repeats(v) for v in value)


def plain(value: Any) -> Any:
    """The generated value as json reads it (the last of equal keys wins)."""
    if isinstance(value, tuple):
        return {k: plain(v) for k, v in value[1]}
    return [plain(v) for v in value] if isinstance(value, list) else value


@settings(max_examples=200, deadline=None)
@given(payload=objects(values), gap=spacing)
def test_a_record_is_refused_exactly_when_some_object_repeats_a_key(payload: tuple[str, Pairs],
                                                                    gap: str) -> None:
    """Generated payloads, spaced every way JSON allows: refused if and only if a key repeats."""
    data = with_payload(write(payload, gap))
    if repeats(payload):
        with pytest.raises(CorruptRecord, match="duplicate key"):
            decode(data)
    else:
        record = decode(data)
        assert record.payload == plain(payload)
        body = data[data.index(b'"record":') + 9:-2]
        assert strings_in(json.loads(body)) == 12 + strings_in(record.payload)  # 8 keys, 4 strings


def depth_of(value: Any) -> int:
    """How many containers deep JSON data nests (a scalar: 0), the obvious recursive way."""
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    return 0


def strings_of(value: Any) -> int:
    """How many strings JSON data holds, keys and values, the obvious recursive way."""
    if isinstance(value, dict):
        return len(value) + sum(strings_of(v) for v in value.values())
    if isinstance(value, list):
        return sum(strings_of(v) for v in value)
    return int(isinstance(value, str))


nested = st.recursive(st.none() | st.integers() | st.text(max_size=3),
                      lambda inner: st.lists(inner, max_size=2)
                      | st.dictionaries(st.text(max_size=3), inner, max_size=2), max_leaves=60)


@settings(max_examples=200, deadline=None)
@given(inner=nested, wrap=st.integers(0, 40), as_list=st.booleans())
def test_a_record_is_refused_exactly_when_it_nests_more_than_max_depth(inner: Any, wrap: int,
                                                                       as_list: bool) -> None:
    """Payloads nested 1 to 40+ deep in lists or objects: refused if and only if deeper than MAX_DEPTH."""
    value = inner
    for _ in range(wrap):
        value = [value] if as_list else {"k": value}
    payload = {"v": value}
    obj = {"payload": payload, "schema": 1}
    assert shape(obj) == (strings_of(obj), depth_of(obj))
    data = with_payload(json.dumps(payload, separators=(",", ":")))
    if 1 + depth_of(payload) > MAX_DEPTH:  # the envelope is one level more
        with pytest.raises(CorruptRecord, match=f"nested more than {MAX_DEPTH} deep"):
            decode(data)
    else:
        assert decode(data).payload == payload


def test_doctor_names_a_record_with_a_repeated_key_and_summary_does_not_count_it(
        team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """Set aside like any damaged file: reported with its reason, its mood never counted."""
    month = team.shared_dir / "records" / "checkin" / "2026-11"
    month.mkdir(parents=True)
    bad = month / "r1.1.00000000.json"
    bad.write_bytes(with_payload('{"concerns":[],"member":"Ana","mood":5,"mood":1,"status":"",'
                                 '"visibility":"team","source":"cli"}'))
    code, out, err = cli(capsys, "doctor", "--json", "--config", str(team.path))
    assert code == 0, err
    report = json.loads(out)
    assert report["corrupt"] == 1
    assert [f["path"] for f in report["corrupt_files"]] == [str(bad)]
    assert "duplicate key 'mood'" in report["corrupt_files"][0]["reason"]
    code, out, err = cli(capsys, "summary", "--json", "--date", "2026-11-26", "--config", str(team.path))
    assert code == 0, err
    assert json.loads(out)["checked_in"] == []
