"""Anonymous concerns, measures and signposts as a team's total, each member on their own machine.

Anonymous concerns travel only as texts in the DC-net section of each
member's contribution; a measure answered and a signpost shown ride in the
same contribution. Each opens only under its own k rule, and `huddle
summary` shows what opened: concerns among the day's concerns with no
author, measures and signposts as team figures.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from huddle_tui import support
from huddle_tui.aggregation import dcnet
from huddle_tui.cli import main
from huddle_tui.errors import RefusedError
from huddle_tui.model.checkin import Concern
from huddle_tui.rules import measures as m
from huddle_tui.totals.records import CONTRIBUTION
from tests.totalskit import DAY, NAMES, Homes, distinct_slots


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Homes:
    """Five members whose machines published their keys a week ahead."""
    made = Homes(tmp_path, monkeypatch)
    made.keys_ahead()
    return made


def anonymous(text: str, kind: str = "concern") -> tuple[Concern, ...]:
    """One anonymous concern."""
    return (Concern.new(text, kind, "anonymous"),)


def test_concerns_from_three_members_open_with_no_author_and_never_as_files(
        homes: Homes, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ana and Chen check in anonymously with a concern, Ben by name with an anonymous blocker.

    The words are nowhere in the folder; once the day opens, every home
    lists the three among the day's concerns, with no author, sorted.
    """
    distinct_slots(monkeypatch)
    homes.check_in("Ana", "anonymous", 2, concerns=anonymous("release scope keeps moving"))
    homes.check_in("Ben", "team", 4, concerns=anonymous("waiting on the API keys", "blocker"))
    homes.check_in("Chen", "anonymous", 3, concerns=anonymous("too many meetings"))
    homes.check_in("Dara", "team", 4)
    homes.check_in("Emeka", "private", 3)
    raw = b"".join(p.read_bytes() for p in homes.files())
    for words in (b"release scope", b"API keys", b"meetings"):
        assert words not in raw
    assert homes.totals("Dara")["texts"] is None  # collecting, then opening: nothing to show yet
    homes.morning_after()
    for name in NAMES:
        totals = homes.totals(name)
        assert totals["texts"] == [{"kind": "blocker", "text": "waiting on the API keys"},
                                   {"kind": "concern", "text": "release scope keeps moving"},
                                   {"kind": "concern", "text": "too many meetings"}]
        assert (totals["texts_lost"], totals["texts_sealed"]) == (0, False)
    concerns = json.loads(homes.summary("Emeka"))["concerns"]
    assert {(c["kind"], c["text"], c["member"]) for c in concerns} == {
        ("blocker", "waiting on the API keys", None), ("concern", "release scope keeps moving", None),
        ("concern", "too many meetings", None)}
    text = homes.summary("Ana", fmt="text")
    assert "[blocker] waiting on the API keys (anonymous)" in text


def test_a_concern_withdrawn_before_the_cut_off_never_opens(homes: Homes,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Ana raises a concern anonymously, then checks in again without it: the day opens the other three."""
    distinct_slots(monkeypatch)
    homes.check_in("Ana", "anonymous", 2, concerns=anonymous("I might quit"))
    homes.check_in("Ana", "anonymous", 3)
    for name, words in (("Ben", "b"), ("Chen", "c"), ("Dara", "d")):
        homes.check_in(name, "anonymous", 3, concerns=anonymous(words))
    homes.check_in("Emeka", "team", 4)
    homes.morning_after()
    assert [t["text"] for t in homes.totals("Emeka")["texts"]] == ["b", "c", "d"]


def test_three_concerns_of_one_member_stay_sealed(homes: Homes) -> None:
    """Texts open from K members who wrote one, not K texts: Ana's three and Ben's one stay masked."""
    concerns = anonymous("one") + anonymous("two") + anonymous("three")
    homes.check_in("Ana", "anonymous", 2, concerns=concerns)
    homes.check_in("Ben", "team", 4, concerns=anonymous("four"))
    for name in NAMES[2:]:
        homes.check_in(name, "anonymous", 3)
    homes.morning_after()
    totals = homes.totals("Chen")
    assert (totals["state"], totals["texts"], totals["texts_sealed"]) == ("open", None, True)
    assert "fewer than 3 members wrote one, so they stay sealed" in homes.summary("Chen", fmt="text")
    assert all(c["member"] is not None for c in json.loads(homes.summary("Chen"))["concerns"])


def test_texts_that_land_in_one_slot_are_reported_lost_to_everyone_and_named_to_their_author(
        homes: Homes, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text forced into slot 0: the checksum catches the collision, none is shown, all are lost.

    The summary says how many were lost; each author's `huddle me` names
    their own, and nobody else's.
    """
    monkeypatch.setattr(dcnet, "choose_slots", lambda count, layout, rand: list(range(count)))
    for name, words in (("Ana", "alpha"), ("Ben", "bravo"), ("Chen", "charlie")):
        homes.check_in(name, "anonymous", 3, concerns=anonymous(words))
    for name in NAMES[3:]:
        homes.check_in(name, "team", 4)
    homes.morning_after()
    totals = homes.totals("Dara")
    assert (totals["texts"], totals["texts_lost"]) == ([], 3)
    assert "Anonymous concerns lost: 3 landed in the same slot" in homes.summary("Dara", fmt="text")
    homes.use("Ana")
    journal = homes.journal("Ana", homes.team.next_workday(DAY))
    view = support.me_view(journal, "Ana", homes.team.next_workday(DAY))
    assert [(d, kind, text) for d, kind, text in view.lost_texts] == [(DAY, "concern", "alpha")]
    assert "Lost in the team's totals" in "\n".join(support.render_me(view))
    dara = support.me_view(homes.journal("Dara", homes.team.next_workday(DAY)), "Dara",
                           homes.team.next_workday(DAY))
    assert dara.lost_texts == ()


def test_measures_and_signposts_ride_in_the_contribution_and_open_from_three(homes: Homes) -> None:
    """Three SISQ answers and three signposts, answered with named and anonymous check-ins alike."""
    for name, stress in (("Ana", 5), ("Ben", 2), ("Chen", 4)):
        journal = homes.journal(name, DAY)
        support.save_answer(journal, name, m.Answer(m.SISQ, DAY, (stress,)))
        homes.check_in(name, "team" if name == "Ben" else "anonymous", 2, signposted=True)
    for name in NAMES[3:]:
        homes.check_in(name, "anonymous", 3)
    kinds = {p.parent.parent.name for p in homes.files()}
    assert "measure" not in kinds and "signpost" not in kinds  # no mark of its own, anywhere
    homes.morning_after()
    totals = homes.totals("Emeka")
    assert totals["measures"] == {"sisq": {"answers": 3, "mean": 3.7, "past_cutoff": 2, "sum": 11}}
    assert totals["signposts"] == 3
    text = homes.summary("Emeka", fmt="text")
    assert "Stress (SISQ, 1–5), as the team's total of 3: mean 3.7, 2 past the cut-off" in text
    assert "Support signposts shown: 3" in text
    (period,) = report(homes, "Emeka")["periods"]
    assert (period["signposts"], period["measures"]["sisq"]) == \
        (3, {"answers": 3, "mean": 3.7, "past_cutoff": 2})


def test_the_report_counts_the_anonymous_moods_the_totals_opened(homes: Homes) -> None:
    """Three anonymous moods (1, 2, 4) and two named (4, 5): the report's mood figures hold all five.

    The anonymous three exist only inside the day's total: their sum and count, with no
    distribution (it needs 5), so the period shows the mean of five answers and no distribution.
    """
    for name, mood in (("Ana", 1), ("Ben", 2), ("Chen", 4)):
        homes.check_in(name, "anonymous", mood)
    homes.check_in("Dara", "team", 4)
    homes.check_in("Emeka", "team", 5)
    homes.morning_after()
    assert homes.totals("Dara")["mean"] == round(7 / 3, 2)
    (period,) = report(homes, "Dara")["periods"]
    assert (period["mood_answers"], period["named_answers"], period["anonymous_answers"]) == (5, 2, 3)
    assert period["mood_mean"] == pytest.approx(16 / 5)
    assert period["mood_distribution"] is None  # the total opened no distribution: none covers all five


def test_the_report_adds_opened_distributions_to_the_named_moods(homes: Homes) -> None:
    """Five anonymous moods open a distribution: the report's distribution counts each of them."""
    for name, mood in zip(NAMES, (1, 2, 2, 4, 5), strict=True):
        homes.check_in(name, "anonymous", mood)
    homes.morning_after()
    (period,) = report(homes, "Ben")["periods"]
    assert (period["mood_answers"], period["anonymous_answers"]) == (5, 5)
    assert period["mood_distribution"] == {"1": 1, "2": 2, "3": 0, "4": 1, "5": 1}
    assert period["mood_mean"] == pytest.approx(14 / 5)


def report(homes: Homes, name: str) -> dict[str, Any]:
    """`huddle report --json` on `name`'s machine for the week of DAY."""
    homes.use(name)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["--config", str(homes.team.path), "report", "--json", "--since", DAY.isoformat(),
                     "--until", (DAY + timedelta(days=4)).isoformat()]) == 0
    found: dict[str, Any] = json.loads(out.getvalue())
    return found


def test_two_measure_answers_open_nothing(homes: Homes) -> None:
    """Two WHO-5 answers: the counts say two, the section stays masked, nothing is shown."""
    for name in NAMES[:2]:
        support.save_answer(homes.journal(name, DAY), name, m.Answer(m.WHO5, DAY, (1, 2, 3, 4, 5)))
    for name in NAMES:
        homes.check_in(name, "anonymous", 3)
    homes.morning_after()
    assert homes.totals("Ana")["measures"] is None


def test_every_contribution_has_one_size_whatever_it_carries(homes: Homes) -> None:
    """Three long concerns, measures and a signpost, or nothing at all: the same bytes on disk."""
    words = "é" * 140  # 280 bytes, the most a slot holds
    journal = homes.journal("Ana", DAY)
    support.save_answer(journal, "Ana", m.Answer(m.WHO5, DAY, (5, 5, 5, 5, 5)))
    support.save_answer(journal, "Ana", m.Answer(m.SISQ, DAY, (5,)))
    homes.check_in("Ana", "anonymous", 1, signposted=True,
                   concerns=anonymous(words) + anonymous(words, "blocker") + anonymous(words, "support"))
    homes.check_in("Ben", "team", 5)
    sizes = {p.parent.parent.name + str(p.stat().st_size) for p in homes.files()
             if p.parent.parent.name == CONTRIBUTION}
    assert len(sizes) == 1


def test_anonymous_concerns_that_do_not_fit_are_refused_with_one_line(homes: Homes) -> None:
    """A concern over 280 bytes, or a fourth one, is refused and nothing is saved."""
    with pytest.raises(RefusedError, match="at most 280 bytes"):
        homes.check_in("Ana", "anonymous", 2, concerns=anonymous("x" * 281))
    with pytest.raises(RefusedError, match="at most 3 anonymous concerns"):
        homes.check_in("Ana", "anonymous", 2, concerns=anonymous("a") * 4)
    assert not [p for p in homes.files() if p.parent.parent.name in ("checkin", CONTRIBUTION)]


def test_a_concern_keyed_anonymously_in_the_round_is_refused(homes: Homes) -> None:
    """In the round the facilitator's machine would write it: in totals mode it is refused, not saved."""
    journal = homes.journal("Dara", DAY)
    with pytest.raises(RefusedError, match="only with your own check-in"):
        journal.save_concern(Concern.new("keyed for Ana", "concern", "anonymous"), DAY.isoformat(), "Ana")
