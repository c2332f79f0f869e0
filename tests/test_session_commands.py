"""`huddle circle` and `huddle debrief` for scripts: what the session would be, one line when it cannot be.

Printing a session is a read: the shared folder is left byte-for-byte and
stat-for-stat as it was, even when no machine has recorded the round yet.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from huddle_tui import circles
from huddle_tui.config.team import load_team_config
from huddle_tui.journal import Journal
from huddle_tui.model.sessions import CIRCLE_PROMPTS, DEBRIEF_PROMPTS
from tests.conftest import cli
from tests.sessionkit import NAMES, circle_team

MONDAY = date(2026, 11, 23)
DAY = ("--date", "2026-11-25")


@pytest.fixture
def folder(shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Five members opted in to circles, Fatima not; this terminal is Ana's."""
    circle_team(shared, monkeypatch)
    me("Ana", tmp_path)
    return shared


def me(name: str, tmp_path: Path) -> None:
    """Set `me` in the user config."""
    config = tmp_path / "home" / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(f'me = "{name}"\n', encoding="utf-8")


def files(shared: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file under the shared folder: size, modification time and bytes."""
    return {str(p.relative_to(shared)): (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(shared.rglob("*")) if p.is_file()}


def test_circle_json_is_the_circle_circles_shows(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Facilitator, order, prompts and minutes, as `huddle circles` forms the round; nothing written."""
    before = files(folder)
    code, out, err = cli(capsys, "circle", "--json", *DAY)
    assert code == 0, err
    assert files(folder) == before
    got = json.loads(out)
    team = load_team_config(folder / "huddle.toml")
    circle = circles.compute(Journal(team, index=False), MONDAY).circle_of("Ana")
    assert circle is not None
    assert got["kind"] == "circle" and got["week"] == MONDAY.isoformat() and got["minutes"] == 10
    assert (got["members"], got["facilitator"], got["order"]) == (list(circle.members), circle.facilitator,
                                                                 list(circle.order))
    assert got["order"][0] == got["facilitator"] and got["prompts"] == list(CIRCLE_PROMPTS)


def test_someone_in_no_circle_gets_one_line(folder: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Fatima did not opt in: exit 2, one line saying so and how to join; nothing written."""
    me("Fatima", tmp_path)
    before = files(folder)
    for args in (("circle", "--json", *DAY), ("circle", *DAY)):
        code, out, err = cli(capsys, *args)
        assert code == 2 and out == "" and err.count("\n") == 1, err
        assert "Fatima is in no circle in the round of 2026-11-23" in err and "circles = true" in err
    assert files(folder) == before


def test_opening_needs_a_terminal(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json and without a terminal: one line, exit 2, and the round is not recorded."""
    before = files(folder)
    for args in (("circle", *DAY), ("debrief", "--event", "Launch v2", *DAY)):
        code, out, err = cli(capsys, *args)
        assert code == 2 and out == "" and "needs a terminal" in err and err.count("\n") == 1, err
    assert files(folder) == before


def test_a_debrief_is_opened_as_someone(folder: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Without `me` the JSON still prints; opening it (a signed write) says how to set `me`."""
    (tmp_path / "home" / "config" / "config.toml").write_text("", encoding="utf-8")
    code, _, err = cli(capsys, "debrief", "--event", "Launch v2", "--json", *DAY)
    assert code == 0, err
    code, _, err = cli(capsys, "debrief", "--event", "Launch v2", *DAY)
    assert code == 2 and "set `me` first" in err and err.count("\n") == 1, err


def test_debrief_json_for_chosen_people(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--members picks the room (names as the roster spells them); the facilitator opens; nothing written."""
    before = files(folder)
    code, out, err = cli(capsys, "debrief", "--event", "Launch v2", "--members", "ana, BEN,Fatima", "--json",
                         *DAY)
    assert code == 0, err
    got = json.loads(out)
    assert got["kind"] == "debrief" and got["event"] == "Launch v2" and got["date"] == "2026-11-25"
    assert got["members"] == ["Ana", "Ben", "Fatima"] and sorted(got["order"]) == got["members"]
    assert got["order"][0] == got["facilitator"] and got["prompts"] == list(DEBRIEF_PROMPTS)
    assert got["minutes"] == 10
    code, out, _ = cli(capsys, "debrief", "--event", "Launch v2", "--json", "--minutes", "25", *DAY)
    assert code == 0 and json.loads(out)["members"] == NAMES and json.loads(out)["minutes"] == 25
    assert files(folder) == before


@pytest.mark.parametrize(("args", "said"), [
    (("--event", "Launch", "--members", "Ana,Zed"), "--members: 'Zed' is not on the team"),
    (("--event", "Launch", "--members", "Ana"), "a debrief is for 2 to 200 people"),
    (("--event", "  "), "--event: must not be empty"),
    (("--event", "x" * 81), "--event: 81 characters, the limit is 80"),
    (("--event", "Launch", "--minutes", "0"), "--minutes: expected 1 to 90"),
    (("--event", "Launch\x1b[2J"), "--event: only printable characters"),
])
def test_a_bad_debrief_is_one_line(folder: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
                                   said: str) -> None:
    """Exit 2 and one line naming what is wrong."""
    code, out, err = cli(capsys, "debrief", *args, "--json")
    assert code == 2 and out == "" and err.count("\n") == 1 and said in err, err


def test_after_a_debrief_each_member_leaves_theirs_and_only_the_room_reads_it(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """From their own terminals: Ana keeps a takeaway in the room, thanks Ben; Ben reads it, Dara cannot."""
    from huddle_tui import sessions

    team = load_team_config(folder / "huddle.toml")
    for name in NAMES:  # each machine publishes its key
        assert Journal(team, me=name, data_dir=tmp_path / "machines" / name).signing_key() is not None

    def at(name: str) -> None:
        """Sit at `name`'s terminal."""
        me(name, tmp_path)
        monkeypatch.setenv("HUDDLE_DATA_DIR", str(tmp_path / "machines" / name))

    debrief = ("debrief", "--event", "Launch v2", "--members", "Ana,Ben,Chen", *DAY)
    at("Ana")
    code, _, err = cli(capsys, *debrief, "takeaway", "too early")
    assert code == 2 and "the debrief 'Launch v2' has not been held yet" in err, err
    ana = Journal(team, me="Ana", data_dir=tmp_path / "machines" / "Ana")
    plan = sessions.debrief_plan(ana, date(2026, 11, 25), "Launch v2", ["Ana", "Ben", "Chen"])
    sessions.save(ana, plan.session("2026-11-25T15:00:00Z"), sessions.session_id(team, plan))
    code, out, err = cli(capsys, *debrief, "takeaway", "We keep the launch checklist")
    assert code == 0 and "Kept in the room: Ana, Ben, Chen can read it; nobody else can." in out, err
    code, out, err = cli(capsys, *debrief, "thank", "ben")
    assert code == 0 and "Thanks to ben recorded." in out, err
    for who in ("Ana", "Dara"):
        code, _, err = cli(capsys, *debrief, "thank", who)
        assert code == 2 and "thank someone else in the room: Ben, Chen" in err, err
    code, _, err = cli(capsys, *debrief, "takeaways", "extra")
    assert code == 2 and "no other action takes text" in err

    at("Ben")
    code, out, err = cli(capsys, *debrief, "takeaways", "--json")
    assert code == 0, err
    assert json.loads(out)["takeaways"] == [{"author": "Ana", "share": "room",
                                             "text": "We keep the launch checklist"}]
    at("Dara")
    before = files(folder)
    code, out, err = cli(capsys, *debrief, "takeaways", "--json")
    assert code == 0 and json.loads(out)["takeaways"][0]["text"] is None, err
    code, out, _ = cli(capsys, *debrief, "takeaways")
    assert "Ana (kept in the room): (kept in the room: not for this machine's key)" in out
    assert files(folder) == before  # reading wrote nothing
    code, _, err = cli(capsys, *debrief, "takeaway", "I was not there", "--team")
    assert code == 2 and "Dara was not in this debrief" in err, err
    raw = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert b"launch checklist" not in raw and b"Launch v2" in raw


def test_a_room_too_big_to_seal_to_is_one_line(folder: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """More keys than a sealed text names: refused in one line, shared with the team still works."""
    from huddle_tui import sealed, sessions

    team = load_team_config(folder / "huddle.toml")
    for name in NAMES:
        assert Journal(team, me=name, data_dir=tmp_path / "machines" / name).signing_key() is not None
    monkeypatch.setenv("HUDDLE_DATA_DIR", str(tmp_path / "machines" / "Ana"))
    ana = Journal(team, me="Ana", data_dir=tmp_path / "machines" / "Ana")
    plan = sessions.debrief_plan(ana, date(2026, 11, 25), "Launch v2")
    sessions.save(ana, plan.session("2026-11-25T15:00:00Z"), sessions.session_id(team, plan))
    monkeypatch.setattr(sealed, "MAX_RECIPIENTS", 2)
    debrief = ("debrief", "--event", "Launch v2", *DAY, "takeaway", "we keep it")
    code, out, err = cli(capsys, *debrief)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "this room has 6 keys, more than a sealed takeaway can name (2)" in err
    code, out, err = cli(capsys, *debrief, "--team")
    assert code == 0 and "Shared with the team, with your name." in out, err


def test_an_anonymous_takeaway_is_refused_in_one_line_where_anonymous_answers_are_records(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A records-mode team: `--anonymous` is one line, exit 2, nothing written; with `--team`, a usage line.

    In the totals mode the same command writes nothing to the shared folder
    either: the takeaway waits on this machine, and `takeaways` tells Ana alone.
    """
    from huddle_tui import sessions

    team = load_team_config(folder / "huddle.toml")
    monkeypatch.setenv("HUDDLE_DATA_DIR", str(tmp_path / "machines" / "Ana"))
    ana = Journal(team, me="Ana", data_dir=tmp_path / "machines" / "Ana")
    plan = sessions.debrief_plan(ana, date(2026, 11, 25), "Launch v2", ["Ana", "Ben", "Chen"])
    sessions.save(ana, plan.session("2026-11-25T15:00:00Z"), sessions.session_id(team, plan))
    debrief = ("debrief", "--event", "Launch v2", "--members", "Ana,Ben,Chen", *DAY)
    before = files(folder)
    code, out, err = cli(capsys, *debrief, "takeaway", "I was scared the whole launch", "--anonymous")
    assert (code, out, err.count("\n")) == (2, "", 1), err
    assert "an anonymous takeaway needs the team's totals mode" in err
    code, _, err = cli(capsys, *debrief, "takeaway", "both", "--anonymous", "--team")
    assert code == 2 and "not allowed with argument" in err, err
    code, _, err = cli(capsys, *debrief, "thank", "Ben", "--anonymous")
    assert code == 2 and "--team and --anonymous go with takeaway" in err, err
    assert files(folder) == before

    with (folder / "huddle.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[privacy]\nanonymous = "totals"\n')
    before = files(folder)
    code, out, err = cli(capsys, *debrief, "takeaway", "I was scared the whole launch", "--anonymous")
    assert code == 0 and "Kept on this machine only" in out, err
    code, out, err = cli(capsys, *debrief, "takeaways")
    assert code == 0 and "Your anonymous takeaways waiting for the team's totals (only you see this): 1" \
        in out, err
    assert files(folder) == before
