"""A member's own moods, signpost, measures and follow-ups through the real journal and the CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from huddle_tui import support
from huddle_tui.config.team import (
    TeamConfig,
    load_team_config,
    team_config_to_toml,
    with_members,
    write_toml,
)
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern, FollowUp
from huddle_tui.rules import measures as m
from huddle_tui.rules.report import measures, signposts
from huddle_tui.storage import envelope
from tests.conftest import cli

_TWO_WEEKS_AGO = date.today() - timedelta(days=14)
MON = _TWO_WEEKS_AGO - timedelta(days=_TWO_WEEKS_AGO.weekday())  # recent: held answers go out for 60 days
WED = MON + timedelta(days=2)


def on_machine(monkeypatch: pytest.MonkeyPatch, machines: Path, name: str) -> None:
    """Act as `name`'s own machine: its own data dir (private folder and local key)."""
    monkeypatch.setenv("HUDDLE_DATA_DIR", str(machines / name))


def checkin(team: TeamConfig, name: str, day: date, mood: int, visibility: str = "team") -> None:
    """One check-in saved on the current machine."""
    Journal(team).save_checkin(CheckIn(day.isoformat(), mood, name, "", (), visibility))  # type: ignore[arg-type]


def test_own_moods_include_private_and_anonymous_ones_found_by_the_local_key(
        team: TeamConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ana's private and anonymous low moods count for her streak; Ben's anonymous answer is never hers."""
    machines = tmp_path / "machines"
    on_machine(monkeypatch, machines, "Ana")
    checkin(team, "Ana", MON, 2, "private")
    checkin(team, "Ana", MON + timedelta(days=1), 1, "anonymous")
    for name in ("Ben", "Chen", "Dara"):  # enough placeholders that anonymous answers may go out
        on_machine(monkeypatch, machines, name)
        checkin(team, name, MON + timedelta(days=1), 2 if name == "Ben" else 4, "anonymous")
    on_machine(monkeypatch, machines, "Ana")
    journal = Journal(team)
    assert journal.release_pending() == 1  # Ana's Tuesday answer now sits in the shared folder, nameless
    checkin(team, "Ana", WED, 2)
    own = support.own_moods(Journal(team), "Ana", MON, WED)
    assert [(o.date, o.mood, o.visibility) for o in own] == [
        (MON, 2, "private"), (MON + timedelta(days=1), 1, "anonymous"), (WED, 2, "team")]
    post = support.offer(Journal(team), "Ana", WED)
    assert post is not None and post.reasons == ("streak",)
    on_machine(monkeypatch, machines, "Ben")  # another machine: Ana's private and anonymous moods aren't here
    assert [o.date for o in support.own_moods(Journal(team), "Ana", MON, WED)] == [WED]
    assert support.offer(Journal(team), "Ana", WED) is None


def shown(team: TeamConfig, start: date, end: date) -> int:
    """Signposts the report counts from the shared folder (before it hides a count below 3)."""
    return signposts(Journal(team).report_data(), start, end)


def test_a_signpost_mark_goes_out_nameless_only_where_three_checked_in_from_their_terminal(
        team: TeamConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shown twice in a day it is one mark; it waits for a later session and 3 candidates; then it counts."""
    journal = Journal(team)
    assert support.note_shown(journal, "Ana", MON) is True
    assert support.note_shown(journal, "Ana", MON) is False
    for name in ("Ana", "Ben"):
        checkin(team, name, MON, 3)
    for name in ("Chen", "Dara"):  # keyed in the round on the shared screen: no candidates
        Journal(team).amend_checkin(name, MON.isoformat(), mood=4)
    assert Journal(team).release_pending() == 0
    assert shown(team, MON, WED) == 0  # still on Ana's machine
    checkin(team, "Emeka", MON, 3, "anonymous")  # a placeholder: the third candidate
    assert Journal(team).release_pending() == 1
    assert shown(team, MON, WED) == 1
    assert support.note_shown(Journal(team), "Ana", MON) is False  # released: never a second one
    raw = [envelope.decode(p.read_bytes()) for p in (team.shared_dir / "records").rglob("*.json")
           if "signpost" in p.relative_to(team.shared_dir).parts]
    assert len(raw) == 1 and raw[0].payload == {} and raw[0].date == MON.isoformat()


def test_a_signpost_mark_of_a_team_of_two_never_leaves_the_machine(tmp_path: Path) -> None:
    """With fewer than 3 members who could have been shown it, a count of one would say who it was."""
    small = TeamConfig("Pair", (), tmp_path / "pair")
    (tmp_path / "pair").mkdir()
    write_toml(tmp_path / "pair" / "huddle.toml", team_config_to_toml(with_members(small, ["Ana", "Ben"])))
    pair = load_team_config(tmp_path / "pair" / "huddle.toml")
    for name in ("Ana", "Ben"):
        checkin(pair, name, MON, 2)
    support.note_shown(Journal(pair), "Ana", MON)
    assert Journal(pair).release_pending() == 0
    assert shown(pair, MON, MON) == 0


def test_measure_answers_are_whole_on_my_machine_and_aggregates_for_the_team(
        team: TeamConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each member's SISQ stays theirs in full; the team sees a total only from 3 answers."""
    machines = tmp_path / "machines"
    measured = team._replace(measures=frozenset({m.SISQ}))

    def sisq() -> m.Aggregate | None:
        """The report's SISQ aggregate for the week."""
        found = measures(Journal(measured).report_data(), MON, WED)
        return None if found is None else found[m.SISQ]

    for name, answer in (("Ana", 5), ("Ben", 4)):
        on_machine(monkeypatch, machines, name)
        checkin(team, name, MON, 3)  # the form saves the check-in, then the answers
        support.save_answer(Journal(team), name, m.Answer(m.SISQ, MON, (answer,)))
        assert Journal(team).release_pending() == 0  # one, then two candidates
    assert sisq() is None
    on_machine(monkeypatch, machines, "Chen")
    checkin(team, "Chen", MON, 3)
    support.save_answer(Journal(team), "Chen", m.Answer(m.SISQ, MON, (1,)))
    assert Journal(team).release_pending() == 1
    assert sisq() is None  # one answer out: fewer than 3
    for name in ("Ana", "Ben"):  # their next sessions
        on_machine(monkeypatch, machines, name)
        assert Journal(team).release_pending() == 1
    assert sisq() == m.Aggregate(m.SISQ, 3, 3.3, 2)
    on_machine(monkeypatch, machines, "Chen")
    assert [a.items for a in support.own_answers(Journal(team), "Chen", MON)] == [(1,)]
    on_machine(monkeypatch, machines, "Ana")
    assert [a.items for a in support.own_answers(Journal(team), "Ana", MON)] == [(5,)]
    shared = (team.shared_dir / "records").rglob("*.json")
    assert not any(n in p.read_text() for p in shared if "measure" in p.relative_to(team.shared_dir).parts
                   for n in ("Ana", "Ben", "Chen"))


def test_two_high_sisq_weeks_offer_a_signpost(team: TeamConfig) -> None:
    """The validated item crossing its cut-off is a trigger of its own."""
    journal = Journal(team)
    support.save_answer(journal, "Ana", m.Answer(m.SISQ, MON - timedelta(weeks=1), (4,)))
    support.save_answer(journal, "Ana", m.Answer(m.SISQ, MON, (5,)))
    post = support.offer(Journal(team), "Ana", MON)
    assert post is not None and post.reasons == ("sisq",)


def test_followups_list_close_as_a_new_version_and_filter(
        team: TeamConfig, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A follow-up raised in a check-in is listed, closed by id prefix as version 2, and --open drops it."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    today = date.today()
    while not team.is_workday(today):
        today -= timedelta(days=1)
    ask = Concern.new("review the on-call rota", "concern", "team", FollowUp("Ben"))
    Journal(team).save_checkin(CheckIn(today.isoformat(), 3, "Ana", "", (ask,)))
    support.ask_peer(Journal(team), "Chen", today, "Ben", "private")  # Chen's note: on this machine only
    code, out, _ = cli(capsys, "followups", "--json")
    listed = json.loads(out)["followups"]
    assert code == 0 and {f["text"] for f in listed} == {"review the on-call rota",
                                                          "would like to talk with a peer supporter"}
    code, out, _ = cli(capsys, "followups", "done", ask.id[:8])
    assert code == 0 and "version 1" in out  # its first record of its own
    files = sorted((team.shared_dir / "records").rglob(f"*{ask.id}*"))
    assert files, "closing writes the concern's own record"
    code, out, _ = cli(capsys, "followups", "--open", "--json")
    assert [f["text"] for f in json.loads(out)["followups"]] == ["would like to talk with a peer supporter"]
    code, out, _ = cli(capsys, "followups", "done", ask.id[:8])
    assert code == 2 and out == ""
    code, _, err = cli(capsys, "followups", "done", "zzzz")
    assert code == 2 and "no follow-up" in err


def test_closing_a_standalone_followup_keeps_its_earlier_version(
        team: TeamConfig, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A follow-up's history is its versions: version 1 open, version 2 done, both on disk."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    today = date.today()
    while not team.is_workday(today):
        today -= timedelta(days=1)
    record = support.ask_peer(Journal(team), "Ana", today, "Ben", "team")
    code, out, _ = cli(capsys, "followups", "done", record.id)
    assert code == 0 and "version 2" in out
    versions = sorted((team.shared_dir / "records").rglob(f"*{record.id}*"))
    assert len(versions) == 2
    states = {envelope.decode(p.read_bytes()).payload["followup"]["state"] for p in versions}
    assert states == {"open", "done"}


def test_followups_overdue_after_the_teams_working_days(team: TeamConfig) -> None:
    """Open for more than team.followup_days working days: overdue; the weekend does not count."""
    from huddle_tui.followups import team_followups
    from huddle_tui.rules.followups import age, overdue

    record = support.ask_peer(Journal(team), "Ana", MON, "Ben", "team")
    item = next(i for i in team_followups(Journal(team), WED) if i.id == record.id)
    assert age(team, item, WED) == 2 and not overdue(team, item, WED)
    assert age(team, item, MON + timedelta(days=7)) == 5 and overdue(team, item, MON + timedelta(days=3))
    assert age(team, item, MON + timedelta(days=6)) == 4  # Sat and Sun add nothing


def test_checkin_with_no_flags_and_no_terminal_is_still_a_usage_error(team: TeamConfig) -> None:
    """A script or a pipe gets the one-line error and exit 2, never a form waiting for keys."""
    from tests.conftest import run_huddle

    result = run_huddle("checkin", "--config", str(team.path), "--member", "Ana", stdin="")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "--mood is required" in result.stderr
    (Path.cwd() / "home" / "config").mkdir(parents=True, exist_ok=True)
    (Path.cwd() / "home" / "config" / "config.toml").write_text('me = "Ana"\n')
    result = run_huddle("checkin", "--config", str(team.path), stdin="")
    assert result.returncode == 2 and "--mood is required" in result.stderr


def test_me_json_is_my_own_view(team: TeamConfig, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """`huddle me --json`: my private lows with how each was shared, the streak, and the signpost's words."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    (Path.cwd() / "home" / "config").mkdir(parents=True, exist_ok=True)
    (Path.cwd() / "home" / "config" / "config.toml").write_text('me = "Ana"\n')
    code, out, err = cli(capsys, "me", "--json")
    assert code == 0, err
    assert json.loads(out)["signpost"] is None
    lows: list[date] = []
    day = date.today()
    while len(lows) < 3:
        if team.is_workday(day):
            lows.append(day)
        day -= timedelta(days=1)
    for low in lows:
        checkin(team, "Ana", low, 2, "private")
    code, out, err = cli(capsys, "me", "--json")
    view = json.loads(out)
    assert {(d["mood"], d["visibility"]) for d in view["moods"]} == {(2, "private")}
    assert view["streaks"]["low"] == 3 and view["signpost"]["reasons"] == ["streak"]
    assert "We noticed your last few check-ins have been low." in view["signpost"]["says"]
    code, out, _ = cli(capsys, "me")  # not a terminal: the same page as plain lines
    assert code == 0 and "low moods (≤ 2) in a row: 3" in out and "Only you see this." in out


def test_a_checkin_typed_at_my_terminal_shows_the_signpost_and_a_script_never_does(
        team: TeamConfig, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Three lows by flags: at a terminal the signpost follows the saved line; piped, only the line."""
    from huddle_tui.commands import checkin as command

    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    (Path.cwd() / "home" / "config").mkdir(parents=True, exist_ok=True)
    (Path.cwd() / "home" / "config" / "config.toml").write_text('me = "Ana"\n')
    days = [MON, MON + timedelta(days=1), WED]
    for day in days[:2]:
        assert cli(capsys, "checkin", "--mood", "2", "--private", "--date", day.isoformat())[0] == 0
    monkeypatch.setattr(command, "on_terminal", lambda: False)
    code, out, _ = cli(capsys, "checkin", "--mood", "2", "--private", "--date", WED.isoformat())
    assert code == 0 and "We noticed" not in out
    monkeypatch.setattr(command, "on_terminal", lambda: True)
    code, out, _ = cli(capsys, "checkin", "--mood", "1", "--private", "--date", WED.isoformat())
    assert code == 0 and "We noticed your last few check-ins have been low." in out
    code, out, _ = cli(capsys, "checkin", "--member", "Ben", "--mood", "1", "--date", WED.isoformat())
    assert "We noticed" not in out  # someone else's check-in typed here: no signpost about them


def test_no_shared_screen_can_reach_huddle_me_or_the_signpost() -> None:
    """The huddle app's modules (app, screens, widgets, palette) import neither huddle me nor the signpost."""
    import ast

    tui = Path(__file__).resolve().parent.parent / "src" / "huddle_tui" / "tui"
    shared = [tui / "app.py", tui / "palette.py", *(tui / "screens").glob("*.py"),
              *(tui / "widgets").glob("*.py")]
    for path in shared:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.endswith(("me_app", "signpost", "checkin_form", "ask_peer")), path
                assert node.module != "huddle_tui.support", path


def test_followups_mine_lists_what_i_own_or_raised(
        team: TeamConfig, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Ana raised one, owns one, and neither of Dara's to Chen: --mine shows exactly her two."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    (Path.cwd() / "home" / "config").mkdir(parents=True, exist_ok=True)
    (Path.cwd() / "home" / "config" / "config.toml").write_text('me = "Ana"\n')
    support.ask_peer(Journal(team), "Ana", MON, "Ben", "team", "raised by Ana")
    support.ask_peer(Journal(team), "Dara", MON, "Ana", "team", "owned by Ana")
    support.ask_peer(Journal(team), "Dara", MON, "Chen", "team", "not Ana's")
    code, out, _ = cli(capsys, "followups", "--mine", "--json")
    texts = {f["text"] for f in json.loads(out)["followups"]}
    assert code == 0 and texts == {"raised by Ana", "owned by Ana"}
