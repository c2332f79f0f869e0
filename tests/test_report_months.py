"""The report's facts kept a month at a time add up to one whole read's, before and after a change."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.rules.followups import from_records
from huddle_tui.rules.report import REPORT_KINDS, Data, glance, glance_since, read_data
from tests.conftest import cli, settle_folders
from tests.reportkit import Folder, concern

NAMES = ("Ana", "Ben", "Chen", "Dara", "Emeka")
DAYS = ("2026-09-30", "2026-10-01", "2026-10-30", "2026-11-02", "2026-11-20", "2026-11-26")
TODAY = date(2026, 11, 27)

entries = st.lists(st.tuples(st.sampled_from(DAYS), st.sampled_from(NAMES),
                             st.sampled_from(("named", "followed", "anonymous", "huddle", "signpost",
                                              "measure", "pairs")),
                             st.integers(1, 5)), max_size=25)


def add(f: Folder, entry: tuple[str, str, str, int], team: TeamConfig) -> None:
    """One record (or an answer with its placeholder) in the folder being built."""
    day, name, what, mood = entry
    if what == "named":
        f.named(day, name, mood)
    elif what == "followed":
        f.named(day, name, mood, concern(name, "open" if mood > 2 else "done"))
    elif what == "anonymous":
        f.anonymous(day, name, mood)
    elif what == "signpost":
        f.signpost(day)
    elif what == "measure":
        f.measure(day, "sisq", mood)
    elif what == "pairs":  # the round of the day's week, under its Monday (maybe the month before)
        monday = date.fromordinal(date.fromisoformat(day).toordinal() - date.fromisoformat(day).weekday())
        f.pairs(team, monday.isoformat(), (name, "Zoe"), marks={name: "met" if mood > 2 else "skip"})
    else:
        f.huddle(day, name, (name, 60.0, 50.0 + mood))


def comparable(data: Data) -> tuple[object, ...]:
    """Every fact a figure is computed from."""
    return (sorted(data.days.items()), data.huddles, data.followups, data.first, data.open_dates,
            data.pair_rounds, data.pair_facts, data.marked, data.measured)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries, entries)
def test_kept_months_add_up_to_a_whole_read(team: TeamConfig, isolated_dirs: Path,
                                            first: list[tuple[str, str, str, int]],
                                            later: list[tuple[str, str, str, int]]) -> None:
    """Cold, warm, and after later records: the months' facts equal one read of the whole folder."""
    shared = Path(team.shared_dir) / f"case-{time.monotonic_ns()}"
    t = team._replace(shared_dir=shared)
    journal = Journal(t)
    for batch in (first, later):
        f = Folder()
        for entry in batch:
            add(f, entry, t)
        f.write_to(shared)
        whole = read_data(journal.roster(), journal.shared.read(REPORT_KINDS))
        assert comparable(journal.report_data()) == comparable(whole)  # read afresh
        settle_folders(shared)
        assert comparable(journal.report_data()) == comparable(whole)  # kept now …
        assert comparable(journal.report_data()) == comparable(whole)  # … and read back
        listed = from_records(journal.shared.read(("checkin", "concern")).live())
        assert [(f.opened, f.owner, f.closed) for f in whole.followups] == sorted(
            (i.date, i.owner, not i.is_open) for i in listed)  # the lobby's list and the report agree
        bounded = journal.report_data(glance_since(TODAY))
        assert glance(bounded, TODAY) == glance(whole, TODAY)
        assert bounded.pair_facts == whole.pair_facts  # earlier months' rounds: repeats and gaps look back
        assert min(bounded.days, default="9999") >= glance_since(TODAY).isoformat()[:7]


def test_a_long_history_is_read_a_few_months_at_a_time(team: TeamConfig, isolated_dirs: Path) -> None:
    """The app's glance reads unread months in steps; then none is left, and a change makes one unread."""
    f = Folder()
    for month in range(1, 12):
        f.named(f"2026-{month:02d}-05", "Ana", 4)
    f.write_to(team.shared_dir)
    settle_folders(team.shared_dir)
    journal = Journal(team)
    steps, after = [], ""
    for _ in range(5):
        left, after = journal.read_report_months(after, 3)
        steps.append((left, after))
    assert steps == [(8, "2026-03"), (5, "2026-06"), (2, "2026-09"), (0, "2026-11"), (0, "2026-11")]
    assert journal.read_report_months(limit=0) == (0, "")  # every month kept
    g = Folder()
    g.named("2026-03-06", "Ben", 2)
    g.write_to(team.shared_dir)
    assert journal.read_report_months(limit=0) == (1, "")  # March changed: read again
    assert journal.read_report_months(limit=5) == (0, "2026-03")  # not kept (written moments ago) …
    assert journal.read_report_months("2026-03", 5) == (0, "2026-03")  # … yet the cursor moves on


def test_a_followup_closed_from_a_checkin_counts_once_and_closed(team: TeamConfig,
                                                                 isolated_dirs: Path) -> None:
    """Closing a follow-up given inside a check-in writes its concern record: the report sees one, closed."""
    from huddle_tui.followups import close

    f = Folder()
    f.named("2026-11-02", "Ana", 2, concern("Ben"))
    f.named("2026-11-03", "Ana", 3, concern("Chen"))
    f.write_to(team.shared_dir)
    journal = Journal(team)
    first = journal.report_data().followups
    assert [(x.owner, x.closed) for x in first] == [("Ben", False), ("Chen", False)]
    items = from_records(journal.shared.read(("checkin",)).live())
    close(journal, next(i.id for i in items if i.owner == "Ben"), TODAY)
    assert [(x.owner, x.closed) for x in journal.report_data().followups] == [("Ben", True), ("Chen", False)]


def test_a_month_folder_no_calendar_has_is_left_out(team: TeamConfig, isolated_dirs: Path) -> None:
    """A teammate's "2026-13" or "2026-1x" folder (with a file in it) never stops the report or the glance."""
    f = Folder()
    f.named("2026-11-02", "Ana", 4)
    f.write_to(team.shared_dir)
    for name in ("2026-13", "2026-00", "2026-1x"):
        junk = team.shared_dir / "records" / "checkin" / name
        junk.mkdir(parents=True)
        (junk / "00000000-0000-4000-8000-000000000000.1.json").write_text("{}")
    journal = Journal(team)
    assert list(journal.report_data().days) == ["2026-11-02"]
    assert journal.read_report_months(limit=5)[0] == 0
    assert glance(journal.report_data(glance_since(TODAY)), TODAY).coverage is not None


SINCE = ("2026-09-01", "2026-10-01", "2026-10-29", "2026-11-02", "2026-11-21", "30d", "90d", "all")
asks = st.lists(st.tuples(st.sampled_from(SINCE), st.sampled_from(("week", "month", "quarter")),
                          st.sampled_from(("json", "text", "csv"))), min_size=1, max_size=3)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries, entries, asks)
def test_a_report_from_a_date_prints_what_a_whole_read_prints(
        team: TeamConfig, isolated_dirs: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, first: list[tuple[str, str, str, int]],
        later: list[tuple[str, str, str, int]], asked: list[tuple[str, str, str]]) -> None:
    """`huddle report --since` reads its window and the earlier months' heads: every format, every
    --since and --by prints what the same command printed reading the whole history, cold and kept."""
    from huddle_tui.config.team import team_config_to_toml, write_toml

    shared = Path(team.shared_dir) / f"case-{time.monotonic_ns()}"
    t = team._replace(shared_dir=shared)
    shared.mkdir()
    write_toml(shared / "huddle.toml", team_config_to_toml(t))
    monkeypatch.setenv("HUDDLE_CONFIG", str(shared / "huddle.toml"))
    windowed = Journal.report_data

    def whole(journal: Journal, since: date | None = None) -> Data:
        """The read every report made before: the whole history, whatever its window."""
        return windowed(journal, None)

    def printed(since: str, by: str, form: str, read: object) -> str:
        """The report's output, with report_data as given."""
        monkeypatch.setattr(Journal, "report_data", read)
        code, out, err = cli(capsys, "report", "--since", since, "--until", TODAY.isoformat(), "--by", by,
                             "--format", form)
        assert code == 0, err
        return out

    for batch in (first, later):
        f = Folder()
        for entry in batch:
            add(f, entry, t)
        f.write_to(shared)
        for since, by, form in asked:
            assert printed(since, by, form, windowed) == printed(since, by, form, whole)  # read afresh
        settle_folders(shared)
        for since, by, form in asked:
            expected = printed(since, by, form, whole)
            assert printed(since, by, form, windowed) == expected  # kept now …
            assert printed(since, by, form, windowed) == expected  # … and read back


def test_a_session_before_the_window_still_says_sessions_were_held(team: TeamConfig) -> None:
    """A team nobody opted in to circles shows circle figures once any session was held: a month's head
    keeps saying so, and never counts that session in a later report."""
    from huddle_tui.rules.report import circles_and_debriefs, facts, head_of, merged
    from huddle_tui.rules.session_figures import SessionFact

    came = ("Ana", "Ben", "Chen")
    held = SessionFact("debrief", "2026-09-10", "Launch", "Ana", came, came, 0, 0, ())
    september = facts(team, {}, (), (), date(2026, 9, 10), {}, (held,))
    october = facts(team, {}, (), (), None, {})
    whole = merged(team, [september, october])
    bounded = merged(team, [head_of(september), october])
    start, end = date(2026, 10, 1), date(2026, 10, 31)
    assert circles_and_debriefs(bounded, start, end) == circles_and_debriefs(whole, start, end)
    assert circles_and_debriefs(whole, start, end) is not None
    assert circles_and_debriefs(merged(team, [october]), start, end) is None  # none held: no figures


def test_a_measure_answered_before_the_window_is_still_named(team: TeamConfig, isolated_dirs: Path,
                                                            capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Every period names each measure ever answered (below K answers, with no figure): a report of
    November names the one answered in September, as a whole read does, from September's head."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    f = Folder()
    for name in NAMES[:3]:
        f.named("2026-09-30", name, 4)
        f.measure("2026-09-30", "sisq", 4)
    f.named("2026-11-02", "Ana", 4, concern("Ben", "open"))
    f.write_to(team.shared_dir)
    settle_folders(team.shared_dir)
    assert "sisq" not in team.measures
    for _ in range(2):  # read afresh, then from the kept heads
        code, out, err = cli(capsys, "report", "--since", "2026-11-02", "--until", "2026-11-06", "--json")
        assert code == 0, err
        report = json.loads(out)
        assert report["periods"][0]["measures"] == {"sisq": None}
        assert [f["owner"] for f in report["open_followups"]] == ["Ben"]


ranges = st.lists(st.tuples(st.integers(-10, 40), st.integers(0, 12)), max_size=3)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 40)), ranges), min_size=1, max_size=6),
       st.integers(0, 30), st.integers(0, 20))
def test_who_is_expected_is_the_same_worked_out_for_a_report_at_once(
        spec: list[tuple[int | None, list[tuple[int, int]]]], offset: int, length: int) -> None:
    """plan_calendar (a report's dates at once, only the away ranges that overlap them) gives what
    expected_on gives a date at a time: joined dates, away ranges, weekends and holidays alike."""
    from datetime import timedelta

    from huddle_tui.config.team import AwayRange, Member
    from huddle_tui.rules.report import dates, expected_on, facts, plan_calendar
    from tests.reportkit import team_of

    base = date(2026, 3, 2)
    members = [Member(name=f"M{i}", joined=None if joined is None else base + timedelta(days=joined),
                      away=tuple(AwayRange(base + timedelta(days=a), base + timedelta(days=a + n))
                                 for a, n in away))
               for i, (joined, away) in enumerate(spec)]
    team = team_of(*members, holidays=(base + timedelta(days=10),))
    start = base + timedelta(days=offset)
    end = start + timedelta(days=length)
    at_once, one_by_one = facts(team, {}, (), (), None, {}), facts(team, {}, (), (), None, {})
    plan_calendar(at_once, start, end)
    assert [at_once.calendar[day] for day in dates(start, end)] == [expected_on(one_by_one, day)
                                                                    for day in dates(start, end)]


def test_the_months_keys_listed_once_are_each_months_own(team: TeamConfig, isolated_dirs: Path) -> None:
    """month_keys lists each kind's folder once and gives, month by month, what months_key gives that
    month alone: months in some kinds only, a link and a file named like a month, a name no calendar has."""
    from huddle_tui.storage import derived

    f = Folder()
    f.named("2026-09-30", "Ana", 4)
    f.named("2026-11-02", "Ana", 4, concern("Ben", "open"))
    f.signpost("2026-10-01")
    f.write_to(team.shared_dir)
    records = team.shared_dir / "records"
    (records / "signpost" / "2026-09").symlink_to(records / "checkin" / "2026-09")
    (records / "concern").mkdir(exist_ok=True)
    (records / "concern" / "2026-10").write_text("")
    (records / "checkin" / "2026-13").mkdir()
    kinds = REPORT_KINDS
    for stamped in (False, True):
        keys = derived.month_keys(team.shared_dir, "report", "sum", kinds)
        assert list(keys) == derived.months_of(team.shared_dir, kinds) == ["2026-09", "2026-10", "2026-11"]
        for month, key in keys.items():
            alone = derived.months_key(team.shared_dir, "report", "sum", (month,), kinds)
            assert (key.parts, key.settled) == (alone.parts, alone.settled)
        assert all(key.settled for key in keys.values()) is stamped
        settle_folders(team.shared_dir)
