"""Takeaways shared anonymously after a circle, on each member's own machine over one shared folder.

Leaving one writes nothing to the shared folder; the author's next own
check-in carries it in the takeaway section of their contribution; a day
opens the section once K members left one, and the summary shows the
words with no author. With fewer, nothing opens and each travels again
with its author's next check-in. An attacker who reads the raw folder sees
the same files, sizes and order whether someone left one or not.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from huddle_tui import sessions
from huddle_tui.model.checkin import Concern
from huddle_tui.model.sessions import ANONYMOUS, CIRCLE, Session
from huddle_tui.totals import takeaways
from tests.test_totals_attacker import folder_as_seen, same_order
from tests.totalskit import DAY, Homes, distinct_slots

CIRCLE_OF_FOUR = ("Ana", "Ben", "Chen", "Dara")
ROOM = Session(CIRCLE, DAY.isoformat(), "Ana", CIRCLE_OF_FOUR, CIRCLE_OF_FOUR, round=DAY.isoformat())
SID = "c1rc1e"


def leave(homes: Homes, name: str, words: str, day: date = DAY) -> None:
    """`name` leaves an anonymous takeaway after the circle, on their own machine; the folder is unchanged."""
    before = folder_as_seen(homes)
    kept = sessions.save_takeaway(homes.journal(name, day, hour=16), SID, ROOM, words, ANONYMOUS)
    assert kept.share == ANONYMOUS
    assert folder_as_seen(homes) == before


def test_three_anonymous_takeaways_open_with_no_author_and_two_travel_again_until_they_do(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ana and Ben leave one: the next day's totals hold two, which stay sealed; Chen leaves one too.

    The day after, Ana's and Ben's travel again beside Chen's: three
    authors, and the summary shows the three, sorted, with no name.
    Nothing opens twice: the day with two never shows them.
    """
    distinct_slots(monkeypatch)
    homes = Homes(tmp_path, monkeypatch, [*CIRCLE_OF_FOUR, "Emeka"])
    homes.keys_ahead()
    for name in homes.names:
        homes.check_in(name, "team", 4)
    leave(homes, "Ana", "pairing on the hard ticket helped")
    leave(homes, "Ben", "say no to a second on-call")
    second = homes.team.next_workday(DAY)
    homes.morning_after()
    for name in homes.names:
        homes.check_in(name, "team", 3, day=second)
    leave(homes, "Chen", "a walk at lunch clears my head", second)
    ana = homes.journal("Ana", second).my_anonymous_takeaways()
    assert ana is not None and ana.waiting == 1
    homes.morning_after(day=second)
    totals = homes.totals("Emeka", second)
    assert (totals["takeaways"], totals["takeaways_sealed"]) == (None, True)
    assert "they stay sealed and travel again" in homes.summary("Emeka", second, fmt="text")
    third = homes.team.next_workday(second)
    for name in homes.names:
        homes.check_in(name, "team", 4, day=third)
    homes.morning_after(day=third)
    words = ["a walk at lunch clears my head", "pairing on the hard ticket helped",
             "say no to a second on-call"]
    for name in homes.names:
        totals = homes.totals(name, third)
        shown = (totals["takeaways"], totals["takeaways_lost"], totals["takeaways_sealed"])
        assert shown == (words, 0, False)
        assert totals["texts"] is None  # never among the anonymous concerns
    assert homes.totals("Emeka", second)["takeaways"] is None  # the day with two never opens them
    text = homes.summary("Dara", third, fmt="text")
    assert "  takeaway: pairing on the hard ticket helped" in text
    assert all(c["kind"] != "takeaway" for c in json.loads(homes.summary("Dara", third))["concerns"])
    ana = homes.journal("Ana", homes.team.next_workday(third)).my_anonymous_takeaways()
    assert ana is not None and (ana.waiting, ana.given) == (0, ((third.isoformat(), words[1]),))
    raw = b"".join(p.read_bytes() for p in homes.files())
    assert not [w for w in words if w.encode() in raw]
    days = homes.journal("Dara", homes.team.next_workday(third)).report_data().days
    assert (days[second.isoformat()].totals_takeaways, days[third.isoformat()].totals_takeaways) == (0, 3)


def test_a_takeaway_waits_while_the_day_that_carried_it_is_not_settled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ana checks in the next morning before the day that carried hers is listed: this one carries none.

    Whether it opens there is not known yet, so it is not carried twice; and
    a second check-in the same day carries the same takeaway again.
    """
    homes = Homes(tmp_path, monkeypatch, [*CIRCLE_OF_FOUR])
    homes.keys_ahead()
    leave(homes, "Ana", "ask for help sooner")
    homes.check_in("Ana", "team", 4)
    homes.check_in("Ana", "team", 5)  # a new version of the day's contribution carries it too
    (waiting,) = takeaways.kept(homes.journal("Ana", DAY).private, "Ana")
    assert list(waiting.carried) == [DAY.isoformat()] and len(waiting.carried[DAY.isoformat()]) == 2
    second = homes.team.next_workday(DAY)
    homes.check_in("Ana", "team", 3, day=second)  # nobody settled DAY yet
    (waiting,) = takeaways.kept(homes.journal("Ana", second).private, "Ana")
    assert list(waiting.carried) == [DAY.isoformat()]


def test_a_circle_of_four_leaves_the_same_folder_whether_one_left_an_anonymous_takeaway_or_not(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The attacker reads the raw folder (files, sizes, order), before and after the day opens.

    In one world Ana, of a circle of four, left an anonymous takeaway the
    day before; in the other nobody did. Three members raise anonymous
    concerns in both, so the day's texts open: the takeaway is not among
    them, and its own section stays sealed (one author).
    """
    distinct_slots(monkeypatch)
    seen = []
    concerns = {"Ben": "too many meetings", "Chen": "the build is slow", "Emeka": "unclear priorities"}
    for world in ("takeaway", "none"):
        homes = Homes(tmp_path_factory.mktemp(world), monkeypatch)
        homes.keys_ahead()
        if world == "takeaway":
            leave(homes, "Ana", "I nearly quit last week", DAY - timedelta(days=3))
        for name in homes.names:
            said = concerns.get(name)
            raised = (Concern.new(said, "concern", "anonymous"),) if said else ()
            homes.check_in(name, "team", 3, concerns=raised)
        at_checkin = folder_as_seen(homes)
        homes.morning_after()
        totals = homes.totals("Dara")
        assert [t["text"] for t in totals["texts"]] == sorted(concerns.values())
        assert totals["takeaways"] is None and totals["takeaways_sealed"] is (world == "takeaway")
        raw = b"".join(p.read_bytes() for p in homes.files())
        assert b"nearly quit" not in raw
        seen.append((at_checkin, folder_as_seen(homes)))
    for moment in (0, 1):
        a, b = seen[0][moment], seen[1][moment]
        assert {k: size for k, (size, _) in a.items()} == {k: size for k, (size, _) in b.items()}
        assert same_order(a, b)


def test_takeaways_that_collide_are_lost_and_never_sent_again(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Every takeaway forced into slot 0: the day opens none, counts three lost, and none travels again.

    Sending one again would let anyone subtract it from the collided slot,
    opening the other and tying both to two days' contributors.
    """
    from huddle_tui.aggregation import dcnet

    monkeypatch.setattr(dcnet, "choose_slots", lambda count, layout, rand: list(range(count)))
    homes = Homes(tmp_path, monkeypatch, [*CIRCLE_OF_FOUR])
    homes.keys_ahead()
    for name in CIRCLE_OF_FOUR[:3]:
        leave(homes, name, f"what helped {name}", DAY - timedelta(days=3))
    for name in homes.names:
        homes.check_in(name, "team", 4)
    homes.morning_after()
    totals = homes.totals("Dara")
    assert (totals["takeaways"], totals["takeaways_lost"]) == ([], 3)
    assert "Takeaways left anonymously lost: 3" in homes.summary("Dara", fmt="text")
    second = homes.team.next_workday(DAY)
    homes.check_in("Ana", "team", 4, day=second)
    journal = homes.journal("Ana", second)
    (waiting,) = takeaways.kept(journal.private, "Ana")
    assert (list(waiting.carried), waiting.given) == ([DAY.isoformat()], DAY.isoformat())
    mine = journal.my_anonymous_takeaways()
    assert mine is not None and mine.given == ((DAY.isoformat(), "what helped Ana"),)
    view = journal.totals_view(DAY)
    assert view is not None
    assert takeaways.shown_state("what helped Ana", view.takeaways) == takeaways.LOST
