"""Circles and debriefs in `huddle report`: held, attendance, rotation, takeaways, thanks; counts from K."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from huddle_tui import sessions
from huddle_tui.config.team import TeamConfig, load_team_config
from huddle_tui.journal import Journal
from huddle_tui.model.huddle import Turn
from huddle_tui.model.sessions import ROOM, TEAM, Session
from huddle_tui.rules.privacy import FEWER, K
from tests.conftest import cli
from tests.sessionkit import NAMES, circle_team

WEEK = ("--since", "2026-11-23", "--until", "2026-11-29")


@pytest.fixture
def team(shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TeamConfig:
    """Six members, five opted in to circles; each machine has published its key."""
    loaded = load_team_config(circle_team(shared, monkeypatch, "target_weekly_coverage = 0.8\n"))
    for name in NAMES:
        assert machine(loaded, tmp_path, name).signing_key() is not None
    return loaded


def machine(team: TeamConfig, tmp_path: Path, name: str) -> Journal:
    """`name`'s own machine."""
    return Journal(team, me=name, data_dir=tmp_path / "machines" / name)


def held(plan: sessions.SessionPlan, spoke: set[str]) -> Session:
    """The plan's session, ended, with those in `spoke` having spoken."""
    turns = tuple(Turn(n, 60.0, 50.0 if n in spoke else 0.0, skipped=n not in spoke) for n in plan.order)
    return plan.session("2026-11-25T10:00:00Z")._replace(turns=turns, ended_at="2026-11-25T10:10:00Z")


def test_the_report_counts_sessions_and_hides_small_counts(team: TeamConfig, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A circle of five (four came) and a debrief of three (all came): every figure, counts below K hidden."""
    ana = machine(team, tmp_path, "Ana")
    circle = sessions.circle_plan(ana, date(2026, 11, 25), today=date(2026, 11, 25), save=True)
    came = set(circle.members) - {circle.order[-1]}
    circle_session = held(circle, came)
    cid = sessions.session_id(team, circle)
    sessions.save(ana, circle_session, cid)
    debrief = sessions.debrief_plan(ana, date(2026, 11, 26), "Launch v2", ["Ana", "Ben", "Fatima"])
    debrief_session = held(debrief, set(debrief.members))
    did = sessions.session_id(team, debrief)
    sessions.save(ana, debrief_session, did)

    in_circle = sorted(came)
    for name in in_circle[:2]:  # two shared: fewer than K, hidden
        sessions.save_takeaway(machine(team, tmp_path, name), cid, circle_session, f"{name} shares", TEAM)
    for name in in_circle[:K]:  # three kept in the room: shown
        sessions.save_takeaway(machine(team, tmp_path, name), cid, circle_session, f"{name} keeps", ROOM)
    for giver, to in (("Ana", "Ben"), ("Ben", "Ana"), ("Fatima", "Ben")):  # three thanks, two people thanked
        sessions.save_thanks(machine(team, tmp_path, giver), did, debrief_session, to)
    # Outside the room counts for nothing: Fatima was in no circle; her record is forged into it here.
    fatima = machine(team, tmp_path, "Fatima")
    fatima.save_record("thanks", "f0f0f0f0-0000-4000-8000-000000000001", circle_session.date,
                       {"member": "Fatima", "session": cid, "type": "circle", "to": "Ana"})

    code, out, err = cli(capsys, "report", "--json", *WEEK)
    assert code == 0, err
    got = json.loads(out)["periods"][0]["sessions"]
    assert got["circles"] == 1 and got["debriefs"] == 1 and got["events"] == ["2026-11-26 Launch v2"]
    assert (got["attended"], got["seated"]) == (len(came) + 3, len(circle.members) + 3)
    assert got["attendance"] == round((len(came) + 3) / (len(circle.members) + 3), 3)
    assert got["target"] == 0.8
    assert got["facilitators"] == len({circle.facilitator, debrief.facilitator})
    assert got["takeaways_shared"] is None and got["takeaways_kept"] == K
    assert got["thanks"] == 3 and got["thanked"] is None  # two people thanked: fewer than K

    code, out, _ = cli(capsys, "report", *WEEK)
    assert "1 circle, 1 debrief (2026-11-26 Launch v2)" in out
    assert f"takeaways:          {FEWER} shared with the team, 3 kept in the room" in out
    assert f"thanks:             3 given, {FEWER} people thanked" in out
    code, out, _ = cli(capsys, "report", "--format", "csv", *WEEK)
    header, row = out.splitlines()[:2]
    assert "sessions_circles" in header and "sessions_takeaways_shared" in header
    assert dict(zip(header.split(","), row.split(","), strict=True))["sessions_thanks"] == "3"


def test_a_team_without_circles_reports_as_before(shared: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody opted in and nothing held: no rows, and the JSON says null."""
    path = shared / "huddle.toml"
    path.write_text('[team]\nname = "Platform"\n\n[[members]]\nname = "Ana"\n', encoding="utf-8")
    monkeypatch.setenv("HUDDLE_CONFIG", str(path))
    code, out, _ = cli(capsys, "report", "--json", *WEEK)
    assert code == 0 and json.loads(out)["periods"][0]["sessions"] is None
    _, out, _ = cli(capsys, "report", *WEEK)
    assert "circles, debriefs" not in out and "thanks" not in out


def test_takeaways_left_with_no_name_count_among_those_shared_from_the_days_that_opened_them() -> None:
    """A totals team's opened takeaways join the shared count (with no session to tie them to); K rules."""
    from huddle_tui.rules.report_format import sessions_rows
    from huddle_tui.rules.session_figures import SessionFact, session_stats

    room = tuple(NAMES[:4])
    named = SessionFact("circle", "2026-11-23", "", "Ana", room, room, 1, 0, ())
    stats = session_stats([named], 0.8, anonymous=K)
    assert (stats.takeaways_shared, stats.takeaways_anonymous) == (K + 1, K)
    assert dict(sessions_rows(stats))["takeaways"] == f"{K + 1} shared with the team ({K} with no name), " \
                                                     f"{FEWER} kept in the room"
    alone = session_stats([named], 0.8)
    assert (alone.takeaways_shared, alone.takeaways_anonymous) == (None, None)
    row = dict(sessions_rows(alone))["takeaways"]
    assert row == f"{FEWER} shared with the team, {FEWER} kept in the room"
