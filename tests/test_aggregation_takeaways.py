"""Takeaways shared anonymously: a DC-net section of their own in every contribution, opened from K authors.

Only the people of a circle or a debrief leave a takeaway, so takeaways
never mix with the day's anonymous texts: they have their own section,
self-mask and pairwise masks, gated by the counts' `takeaway_authors`
lane. Every contribution carries the section (zeros when there is none),
and a contribution written before it existed still sums in every other
section, while its day keeps its takeaways masked.
"""

from __future__ import annotations

from dataclasses import replace

from huddle_tui.aggregation import wire
from huddle_tui.aggregation.contribution import Contribution
from huddle_tui.aggregation.dcnet import Text, TextLayout
from huddle_tui.aggregation.keys import open_from, seal_to
from huddle_tui.aggregation.layout import BEFORE_TAKEAWAYS, TAKEAWAY_LAYOUT, Answer
from huddle_tui.aggregation.shamir import ELEMENT_BYTES
from huddle_tui.aggregation.unmask import DayTotals
from huddle_tui.rules.privacy import K
from tests.aggkit import DAY, SMALL, Stream, Team, names, team

TAKEAWAY = 1


def takeaway(words: str) -> Text:
    """A takeaway as a contribution carries it: its words, nothing of its session."""
    return Text(TAKEAWAY, words.encode())


def open_all(t_: Team) -> tuple[DayTotals, dict[str, int]]:
    """Everyone endorses and reveals, the counts open, everyone reveals what they allow; the day opened."""
    day_list = t_.propose(DAY)
    everyone = list(day_list.holders)
    t_.endorse(everyone, day_list)
    t_.reveal(everyone, day_list)
    counts = t_.open(day_list).sections["counts"]
    t_.reveal(everyone, day_list, counts)
    return t_.open(day_list), counts


def test_takeaways_from_k_authors_open_in_their_own_section_never_among_the_texts() -> None:
    """Three of five leave a takeaway, three write a text: each section opens holding only its own words."""
    t_ = team(names(5))
    words = ["pairing on the hard ticket helped", "say no to the second on-call", "walk at lunch"]
    for i, m in enumerate(names(5)):
        texts = (Text(1, f"text {i}".encode()),) if i >= 2 else ()
        t_.contribute(m, DAY, Answer(texts=texts, takeaway=takeaway(words[i]) if i < 3 else None),
                      Stream(f"slots {i}"))
    opened, counts = open_all(t_)
    assert (counts["takeaway_authors"], counts["texters"]) == (3, 3)
    assert opened.takeaways is not None and opened.texts is not None
    assert sorted(opened.takeaways.texts) == sorted(takeaway(w) for w in words)  # these streams land apart
    assert not {t.body for t in opened.texts.texts} & {w.encode() for w in words}


def test_k_minus_one_takeaway_authors_open_nothing_and_no_holder_reveals_a_takeaway_seed() -> None:
    """Two takeaways among five contributions: the counts say two, every other section opens, they do not."""
    t_ = team(names(5))
    for i, m in enumerate(names(5)):
        t_.contribute(m, DAY, Answer(mood=3, takeaway=takeaway(f"kept {i}") if i < K - 1 else None))
    opened, counts = open_all(t_)
    assert counts["takeaway_authors"] == K - 1
    assert opened.sections["mood_mean"]["mood_sum"] == 15
    assert opened.takeaways is None
    assert all(not r.takeaways for r in t_.reveals[DAY])
    assert all("takeaways" not in r.to_payload() for r in t_.reveals[DAY])


def test_a_contribution_has_one_size_with_a_takeaway_or_without() -> None:
    """Cover: a takeaway of the most bytes a slot holds, or none, makes the same number of bytes."""
    t_ = team(names(4), layout=TextLayout())
    most = "é" * (TAKEAWAY_LAYOUT.body_bytes // 2)
    sizes = {len(str(t_.contribute(m, DAY, a).to_payload()))
             for m, a in zip(names(4), [Answer(), Answer(takeaway=takeaway(most)), Answer(mood=2),
                                       Answer(takeaway=takeaway("x"))], strict=True)}
    assert len(sizes) == 1


def older(t_: Team, c: Contribution) -> Contribution:
    """`c` as a machine from before takeaways would write it: no takeaway vector, six self-masks sealed.

    Each holder's sealed shares are opened with the holder's key and sealed
    again without the takeaway self-mask's share, as the older code sealed them.
    """
    author = t_.machines[c.member].key
    shares = {}
    for holder in c.holders:
        context = wire.context("masks", c.member, holder, c.day)
        opened = open_from(t_.machines[holder].key, c.share_key, c.nonce, c.shares[holder], context)
        shares[holder] = seal_to(author, t_.batches[holder].share_key, c.nonce,
                                 opened[:len(BEFORE_TAKEAWAYS) * ELEMENT_BYTES], context)
    made = replace(c, shares=shares, takeaways=None)
    payload = made.to_payload()
    assert "takeaways" not in payload
    return Contribution.from_payload(payload, SMALL)  # reads back as the older form


def test_a_day_with_an_older_contribution_opens_all_but_its_takeaways() -> None:
    """Four new contributions with three takeaways and one from before: moods open, takeaways stay masked."""
    t_ = team(names(5))
    for i, m in enumerate(names(5)):
        made = t_.contribute(m, DAY, Answer(mood=i + 1, takeaway=takeaway(f"t{i}") if i < 3 else None))
        if i == 4:
            t_.contributions[DAY][m] = older(t_, made)
    opened, counts = open_all(t_)
    assert counts["takeaway_authors"] == 3 and counts["contributions"] == 5
    assert opened.sections["mood_counts"] == {"contributions": 5, **{f"mood_{k}": 1 for k in range(1, 6)}}
    assert opened.takeaways is None
    assert all(not r.takeaways for r in t_.reveals[DAY])
