"""The roster a journal keeps between calls is never an old one: another machine's away range shows."""

from __future__ import annotations

from datetime import date

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.huddle import Away
from tests.storekit import age

DAY = date(2026, 3, 4)


def away(team: TeamConfig, name: str, day: date) -> bool:
    """Whether the roster has a member away on a day."""
    member = team.member(name)
    assert member is not None
    return member.is_away(day)


def test_an_away_range_recorded_elsewhere_joins_the_kept_roster(team: TeamConfig) -> None:
    """Kept while nothing changed (settled or not), read again once an away folder changed."""
    mine, theirs = Journal(team), Journal(team)
    mine.save_away(Away("Ana", "2026-01-05", "2026-01-09", "leave"))
    age(team.shared_dir)
    first = mine.roster()
    assert mine.roster() is first  # kept: nothing changed
    assert not away(first, "Ben", DAY)
    theirs.save_away(Away("Ben", DAY.isoformat(), DAY.isoformat(), "leave"))  # a folder fresh now
    assert away(mine.roster(), "Ben", DAY)
    age(team.shared_dir)
    settled = mine.roster()
    assert away(settled, "Ben", DAY) and away(settled, "Ana", date(2026, 1, 6))
    theirs.save_away(Away("Chen", "2026-05-04", "2026-05-04", "leave"))  # a new month's folder
    age(team.shared_dir)
    assert away(mine.roster(), "Chen", date(2026, 5, 4))


def test_a_roster_from_the_folders_cache_is_the_one_read_with_its_fingerprint(team: TeamConfig) -> None:
    """Another process finds the roster kept in the folder's cache (no away record read), equal to a
    fresh read and named by the fingerprint any process computes; a new range is read afresh."""
    from huddle_tui.storage.canonical import canonical_fingerprint
    from huddle_tui.storage.stamps import fingerprint
    from tests.storekit import kept_answer

    mine = Journal(team)
    mine.save_away(Away("Ana", "2026-01-05", "2026-01-09", "leave"))
    mine.save_away(Away("Ana", "2026-02-02", "2026-02-03", "dentist"))
    mine.save_away(Away("Ben", "2026-01-06", "2026-01-06", "leave"))
    age(team.shared_dir)
    fresh = Journal(team).roster()  # read, and kept
    assert kept_answer(team.shared_dir, "roster") is not None
    later = Journal(team)
    later._read_away = lambda: {}  # type: ignore[method-assign]  # a read would lose every range
    kept = later.roster()
    assert kept == fresh and kept is not fresh
    assert fingerprint(kept) == canonical_fingerprint(fresh)
    assert away(kept, "Ana", date(2026, 2, 3)) and away(kept, "Ben", date(2026, 1, 6))
    mine.save_away(Away("Chen", DAY.isoformat(), DAY.isoformat(), "leave"))
    age(team.shared_dir)
    assert away(Journal(team).roster(), "Chen", DAY)
