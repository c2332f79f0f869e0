"""A shared folder is untrusted input: whatever checksummed records a teammate puts there, every
command still answers, exits as documented, and `huddle doctor` names the records set aside."""

from __future__ import annotations

import contextlib
import io
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddle_tui.cli import main
from huddle_tui.config.team import TeamConfig, load_team_config, team_config_to_toml, with_members, write_toml
from huddle_tui.model.checkin import CheckIn, Concern, FollowUp
from huddle_tui.model.huddle import Handoff, Huddle, Turn
from huddle_tui.storage import validate
from huddle_tui.storage.folder import FolderStore
from tests.storekit import plant
from tests.storekit import record_bytes as plant_bytes

DAY = "2026-11-26"
Case = tuple[str, dict[str, Any]]
KINDS = ("checkin", "concern", "huddle", "handoff", "away", "poll")
# (kind, payload): one of each shape that crashed or hung a command before payloads were validated.
BAD_SHAPES: list[tuple[str, dict[str, Any]]] = [
    ("huddle", {"facilitator": "Ana", "order": 5, "turns": [], "round_s": 300}),
    ("checkin", {"member": "Ana", "mood": "abc", "status": "", "concerns": [], "visibility": "team"}),
    ("checkin", {"member": "Ana", "mood": math.nan, "status": "", "concerns": [], "visibility": "team"}),
    ("checkin", {"member": "Ana", "mood": [1], "status": "", "concerns": [], "visibility": "team"}),
    ("checkin", {"member": "Ana", "mood": 3, "status": "", "concerns": 7, "visibility": "team"}),
    ("huddle", {"facilitator": "Ana", "order": ["Ana"], "round_s": 300,
                "turns": [{"timebox_s": 60, "spoken_s": 5, "skipped": False, "late": False}]}),
    ("checkin", {"member": "Ana", "mood": True, "visibility": "team"}),
    ("checkin", {"member": ["Ana"], "mood": 3, "visibility": "team"}),
    ("checkin", {"mood": 3, "visibility": "anonymous", "member": "Ana"}),
    ("checkin", {"member": "Ana", "mood": 3, "concerns": [{"id": "x", "text": 5, "kind": "blocker"}]}),
    ("checkin", {"member": "Ana", "mood": 3,
                 "concerns": [{"id": "x", "text": "t", "kind": "concern", "followup": {"state": "open"}}]}),
    ("checkin", {"member": "Ana", "visibility": "withheld", "mood": 2}),
    ("concern", {"text": {"a": 1}, "kind": "blocker"}),
    ("concern", {"text": "t", "kind": "blocker", "member": 7}),
    ("huddle", {"facilitator": "Ana", "order": ["Ana"], "turns": [], "round_s": math.inf}),
    ("huddle", {"facilitator": "Ana", "order": ["Ana"], "round_s": 300,
                "turns": [{"speaker": "Ana", "timebox_s": 10 ** 400, "spoken_s": 1, "skipped": False,
                           "late": False}]}),
    ("huddle", {"facilitator": None, "order": [], "turns": [], "round_s": 300}),
    ("handoff", {"from": "Ana", "to": ["Ben"], "reason": ""}),
    ("away", {"member": "Ana", "from": "2026-02-30", "to": "2026-03-02"}),
    ("away", {"member": "Ana", "from": "2026-03-05", "to": "2026-03-02"}),
]


def make_team(folder: Path) -> TeamConfig:
    """A five-person team whose huddle.toml sits in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    team = with_members(TeamConfig(name="Platform", members=(), shared_dir=folder),
                        ["Ana", "Ben", "Chen", "Dara", "Emeka"])
    write_toml(folder / "huddle.toml", team_config_to_toml(team))
    return load_team_config(folder / "huddle.toml")


COMMANDS: list[list[str]] = [["summary", "--json", "--date", DAY], ["summary", "--date", DAY],
                             ["next", "--json", "--date", DAY], ["export"], ["export", "--format", "csv"],
                             ["doctor", "--json"]]


def run_all(config: Path) -> dict[str, tuple[int, str, str]]:
    """Every reading command in-process on one team: exit code, stdout, stderr (no exception hidden)."""
    results = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HUDDLE_CONFIG", str(config))
        mp.setenv("HUDDLE_DEBUG", "1")  # an internal error raises here instead of exiting 1
        for argv in COMMANDS:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(argv)
            results[" ".join(argv[:3])] = (code, out.getvalue(), err.getvalue())
    return results


def assert_calm(results: dict[str, tuple[int, str, str]], bad: set[Path]) -> None:
    """Exit 0 everywhere (doctor reports set-aside files without failing), doctor naming each bad file."""
    for command, (code, _, err) in results.items():
        assert code == 0, (command, err)
    doctor = json.loads(results["doctor --json"][1])
    named = {Path(f["path"]) for f in doctor["corrupt_files"]}
    assert bad <= named, (bad - named, doctor["corrupt_files"])
    assert doctor["corrupt"] == len(named)


@pytest.mark.parametrize(("kind", "payload"), BAD_SHAPES,
                         ids=[f"{k}-{i}" for i, (k, _) in enumerate(BAD_SHAPES)])
def test_a_bad_payload_is_set_aside_and_every_command_still_answers(tmp_path: Path, kind: str,
                                                                    payload: dict[str, Any]) -> None:
    """Each shape that crashed summary, next or a CSV export is named by doctor and read by nothing."""
    team = make_team(tmp_path / "shared")
    good = FolderStore(team.shared_dir, durable=False).save(
        "checkin", "0a0a0a0a-0000-5000-8000-000000000001", DAY, {"member": "Ben", "mood": 4, "status": "ok"})
    bad = plant(team.shared_dir, kind, DAY, payload)
    results = run_all(team.path)  # type: ignore[arg-type]
    assert_calm(results, {bad})
    reason = json.loads(results["doctor --json"][1])["corrupt_files"][0]["reason"]
    assert reason.startswith(f"invalid {kind}: ") or reason.startswith("invalid JSON"), reason
    exported = [json.loads(line) for line in results["export"][1].splitlines()]
    assert [r["id"] for r in exported] == [good.id]
    assert f"skipped {bad}" in results["export"][2]


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01", "1969-12-31", "9999-12-31", "２０２６-11-26"])
def test_a_record_dated_no_real_day_is_set_aside(tmp_path: Path, day: str) -> None:
    """A date that matches YYYY-MM-DD but names no day (or one outside 1970..9998) is refused on read."""
    team = make_team(tmp_path / "shared")
    bad = plant(team.shared_dir, "checkin", day, {"member": "Ana", "mood": 3})
    results = run_all(team.path)  # type: ignore[arg-type]
    assert_calm(results, {bad})


def test_a_tombstone_needs_no_valid_payload(tmp_path: Path) -> None:
    """A deletion still deletes whatever payload it carries (it is never shown)."""
    team = make_team(tmp_path / "shared")
    rid = "0a0a0a0a-0000-5000-8000-000000000002"
    plant(team.shared_dir, "checkin", DAY, {"member": "Ana", "mood": 3}, rid=rid)
    plant(team.shared_dir, "checkin", DAY, {"order": 5}, rid=rid, version=2, deleted=True)
    results = run_all(team.path)  # type: ignore[arg-type]
    assert_calm(results, set())
    summary = json.loads(results["summary --json --date"][1])
    assert summary["checked_in"] == [] and results["export --format csv"][1].count("\n") == 2


def test_deep_nesting_and_nan_are_refused_without_a_crash(tmp_path: Path) -> None:
    """JSON that recurses past Python's limit, or holds NaN, is a corrupt file, not a traceback."""
    team = make_team(tmp_path / "shared")
    folder = team.shared_dir / "records" / "poll" / DAY[:7]
    folder.mkdir(parents=True)
    deep = folder / "deep.json"
    deep.write_bytes(_raw_with_payload_text("[" * 5000 + "]" * 5000)[1])
    nested = plant(team.shared_dir, "poll", DAY, {"a": json.loads("[" * 40 + "]" * 40)})
    infinite = folder / "inf.json"
    infinite.write_bytes(_raw_with_payload_text('{"x": Infinity}')[1])
    results = run_all(team.path)  # type: ignore[arg-type]
    assert_calm(results, {deep, nested, infinite})


def _raw_with_payload_text(payload_text: str) -> tuple[str, bytes]:
    """A checksummed record whose payload is the given JSON text, written byte for byte."""
    import hashlib

    body = ('{"date":"2026-11-26","deleted":false,"id":"deep","kind":"poll","payload":' + payload_text
            + ',"schema":1,"version":1,"written_at":"t"}').encode()
    digest = hashlib.sha256(body).hexdigest()
    return "deep.json", b'{"checksum":"sha256:' + digest.encode() + b'","record":' + body + b"}\n"


# ---------------------------------------------------------------- properties

text = st.text(max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
KEYS = ("member", "mood", "status", "concerns", "visibility", "source", "text", "kind", "id", "followup",
        "facilitator", "order", "turns", "round_s", "started_at", "ended_at", "round", "speaker",
        "from", "to", "reason")
names = st.sampled_from(["Ana", "Ben", "Chen", "", "Zed", "[red]x", "\x1b[2J"])
concern_values = st.builds(Concern, text=text, kind=st.sampled_from(("blocker", "concern", "support")),
                           followup=st.none() | st.builds(FollowUp, owner=names,
                                                          state=st.sampled_from(("open", "done"))),
                           id=st.uuids().map(str))
good_payloads = st.one_of(
    st.tuples(st.just("checkin"), st.builds(
        CheckIn, date=st.just(DAY), mood=st.integers(1, 5), member=names, status=text,
        concerns=st.lists(concern_values, max_size=2).map(tuple),
        visibility=st.sampled_from(("team", "anonymous", "private"))).map(CheckIn.to_payload)),
    st.tuples(st.just("huddle"), st.builds(
        Huddle, date=st.just(DAY), facilitator=names, order=st.lists(names, max_size=4).map(tuple),
        turns=st.lists(st.builds(Turn, speaker=names, timebox_s=st.floats(0, 600), spoken_s=st.floats(0, 900),
                                 skipped=st.booleans(), late=st.booleans()), max_size=3).map(tuple),
        round_s=st.floats(1, 3600)).map(Huddle.to_payload)),
    st.tuples(st.just("handoff"), st.builds(Handoff, date=st.just(DAY), from_member=names, to_member=names,
                                            reason=text).map(Handoff.to_payload)),
)


@st.composite
def payloads(draw: st.DrawFn) -> Case:
    """A kind and payload: well formed, one key spoiled, a known bad shape, or arbitrary JSON."""
    how = draw(st.sampled_from(("good", "spoiled", "bad", "arbitrary")))
    if how == "bad":
        shape: Case = draw(st.sampled_from(BAD_SHAPES))
        return shape
    if how == "arbitrary":
        keys = st.sampled_from(KEYS) | text
        return draw(st.sampled_from(KINDS)), draw(st.dictionaries(keys, json_values, max_size=5))
    kind, payload = draw(good_payloads)
    if how == "spoiled":
        key = draw(st.sampled_from(sorted(payload)) | st.sampled_from(KEYS))
        if draw(st.booleans()):
            payload.pop(key, None)
        else:
            payload[key] = draw(json_values)
    return kind, payload


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(records=st.lists(st.tuples(payloads(), st.sampled_from((DAY, "2026-11-25", "2026-10-31")),
                                  st.booleans()), min_size=1, max_size=6))
def test_no_folder_content_breaks_a_command(tmp_path: Path, records: list[tuple[Case, str, bool]]) -> None:
    """Arbitrary payloads of every kind: each command exits 0; doctor names exactly the invalid ones
    (and the private ones: they never belong in the shared folder)."""
    with tempfile.TemporaryDirectory(dir=tmp_path) as where:
        team = make_team(Path(where) / "shared")
        bad = set()
        for (kind, payload), day, deleted in records:
            path = plant(team.shared_dir, kind, day, payload, deleted=deleted)
            unreadable = not _json_safe(payload) or payload.get("visibility") == "private"
            if unreadable or (not deleted and validate.problem(kind, payload) is not None):
                bad.add(path)
        results = run_all(team.path)  # type: ignore[arg-type]
        assert_calm(results, bad)
        assert json.loads(results["doctor --json"][1])["corrupt"] == len(bad)


def _json_safe(value: Any) -> bool:
    """Whether a value is plain JSON: no NaN or infinity (which a reader refuses as invalid JSON)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_json_safe(v) for v in value.values())
    if isinstance(value, list):
        return all(_json_safe(v) for v in value)
    return True


@settings(max_examples=400, deadline=None)
@given(payloads())
def test_a_payload_that_passes_validation_always_builds_its_typed_value(case: Case) -> None:
    """from_payload never raises on what validation let through; what we write always passes."""
    kind, payload = case
    if validate.problem(kind, payload) is not None:
        return
    if kind == "checkin":
        CheckIn.from_payload(DAY, payload)
    elif kind == "concern":
        Concern.from_payload(payload, "team")
    elif kind == "huddle":
        Huddle.from_payload(DAY, payload)
    elif kind == "handoff":
        Handoff.from_payload(DAY, payload)


@settings(max_examples=200, deadline=None)
@given(good_payloads)
def test_every_payload_we_write_passes_validation(case: Case) -> None:
    """A check-in, huddle or handoff written by huddle-tui is never set aside by its own reader."""
    kind, payload = case
    assert validate.problem(kind, payload) is None


def test_the_crash_cases_through_the_installed_command(tmp_path: Path) -> None:
    """The same shapes, all at once, through `python -m huddle_tui` as a script runs it: exit 0."""
    from tests.conftest import run_huddle

    team = make_team(tmp_path / "shared")
    bad = {plant(team.shared_dir, kind, DAY, payload) for kind, payload in BAD_SHAPES}
    env = {"HUDDLE_CONFIG": str(team.path)}
    for argv in COMMANDS:
        result = run_huddle(*argv, env=env)
        assert result.returncode == 0 and "Traceback" not in result.stderr, (argv, result.stderr)
        if argv[0] == "doctor":
            assert {Path(f["path"]) for f in json.loads(result.stdout)["corrupt_files"]} == bad


class OnePage:
    """A records endpoint answering every pull with the same page: a real-looking day and a 30 February."""

    def __init__(self, objects: list[dict[str, Any]]) -> None:
        """The records to serve (wire form)."""
        self.body = json.dumps({"records": objects, "cursor": "c1", "more": False}).encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Any GET gets the page; anything else 404."""
        if scope["type"] != "http":
            return
        ok = scope["method"] == "GET"
        await send({"type": "http.response.start", "status": 200 if ok else 404,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": self.body if ok else b"{}"})


def test_a_pulled_record_of_30_february_does_not_make_sync_fail(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """`huddle sync` refuses it and moves on (exit 0, every time); the good record arrives."""
    from tests.http_helpers import TOKEN, TOKEN_ENV, LiveServer, records_endpoint, with_endpoints

    def wire(day: str, payload: dict[str, Any], rid: str) -> dict[str, Any]:
        """A record as the API carries it, checksum and all, whatever its date (an anonymous one)."""
        _, data = plant_bytes("checkin", day, payload, rid=rid, written_at=day)
        obj = json.loads(data)
        return {**obj["record"], "checksum": obj["checksum"].split(":", 1)[1]}

    good = wire(DAY, {"mood": 4, "visibility": "anonymous"}, "0f0f0f0f-0000-4000-8000-000000000001")
    bad = wire("2026-02-30", {"mood": 2, "visibility": "anonymous"}, "0f0f0f0f-0000-4000-8000-000000000002")
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    server = LiveServer(OnePage([bad, good])).start()
    try:
        team = with_endpoints(make_team(tmp_path / "shared"), records_endpoint(server.url))
        write_toml(team.shared_dir / "huddle.toml", team_config_to_toml(team))
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            codes = [main(["sync", "--json", "--config", str(team.shared_dir / "huddle.toml")])
                     for _ in range(2)]
    finally:
        server.stop()
    assert codes == [0, 0], out.getvalue()
    history = FolderStore(team.shared_dir).read()
    assert list(history.records) == [good["id"]] and not history.problems
    first = json.loads(out.getvalue().splitlines()[0])
    assert first["endpoints"][0]["pulled"] == 1
