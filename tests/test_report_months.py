"""The report's facts kept a month at a time add up to one whole read's, before and after a change."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.rules.followups import from_records
from huddle_tui.rules.report import REPORT_KINDS, Data, glance, glance_since, read_data
from tests.conftest import settle_folders
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
