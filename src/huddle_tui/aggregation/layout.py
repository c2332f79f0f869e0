"""What a contribution holds: its sections and their lanes, how an answer fills them, and when each opens.

A contribution is split into *sections*, each masked on its own, so each
can be opened on its own condition (the k rule) without opening the
others. The numeric sections are field elements (shamir.PRIME) holding
32-bit lanes side by side; their sum over a day's contributors holds each
lane's sum, since no lane of a team's sum comes near 2^32. The text and
takeaway sections are DC-net vectors (dcnet.py).

| section | lanes | opens when |
|---|---|---|
| counts | contributions, answers, texts, SISQ, WHO-5, signposts, texters, takeaway authors | ≥ K members |
| mood_mean | contributions, sum of moods | ≥ K anonymous answers |
| mood_counts | contributions, answers of mood 1 … 5 | ≥ K_DISTRIBUTION anonymous answers |
| sisq | contributions, sum of answers, answers of 4–5 | ≥ K SISQ answers |
| who5 | contributions, sum of each item, answers scoring ≤ 50 | ≥ K WHO-5 answers |
| texts | slots | ≥ K members with a text (texters) |
| takeaways | slots | ≥ K takeaway authors, every listed contribution having the section |

Every numeric section's first lane counts contributions (1 each): once
opened it must equal the number of contributions summed, which catches a
wrong share or a wrong mask with probability 1 − 2^-32. (The counts'
eighth lane fills the element's top bits, so a garbage sum of the counts
is caught by that lane and by `plausible`, not by bits above the lanes.)

A contribution written before takeaways existed has no takeaway section
(BEFORE_TAKEAWAYS): it still sums in every other section, and its counts'
takeaway lane reads as zero, but a day listing one cannot open takeaways.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from huddle_tui.aggregation.dcnet import Text, TextLayout
from huddle_tui.rules.measures import SISQ_HIGH, WHO5_CUTOFF, WHO5_ITEMS
from huddle_tui.rules.privacy import K_DISTRIBUTION, K

LANE_BITS = 32
LANES: dict[str, tuple[str, ...]] = {
    "counts": ("contributions", "answers", "texts", "sisq", "who5", "signposts", "texters",
               "takeaway_authors"),
    "mood_mean": ("contributions", "mood_sum"),
    "mood_counts": ("contributions", "mood_1", "mood_2", "mood_3", "mood_4", "mood_5"),
    "sisq": ("contributions", "sisq_sum", "sisq_high"),
    "who5": ("contributions", *(f"who5_item_{i}" for i in range(1, len(WHO5_ITEMS) + 1)), "who5_low"),
}
"""The numeric sections, in the order a contribution carries them, and their lanes."""
NUMERIC = tuple(LANES)
TEXTS = "texts"
TAKEAWAYS = "takeaways"
SECTIONS = (*NUMERIC, TEXTS, TAKEAWAYS)
"""Every section: each has its own self-mask, so each opens on its own."""
BEFORE_TAKEAWAYS = (*NUMERIC, TEXTS)
"""The sections of a contribution written before takeaways travelled in the totals (still read)."""
TAKEAWAY_LAYOUT = TextLayout(slots=32, body_bytes=280)
"""The takeaway section of every contribution: 32 slots of 280 bytes (docs/aggregation.md says why 32).

One size for the whole team and every team, not a parameter: a takeaway
is at most one per contribution, and a day opens them once K members left
one, so a day holds a handful; 32 slots keep three apart with probability
0.91 at half the text vector's size."""
GATED_BY: dict[str, tuple[str, int]] = {
    "mood_mean": ("answers", K),
    "mood_counts": ("answers", K_DISTRIBUTION),
    "sisq": ("sisq", K),
    "who5": ("who5", K),
    TEXTS: ("texters", K),
    TAKEAWAYS: ("takeaway_authors", K),
}
"""The count in the counts section each gated section needs, and how many of it.

Texts open from K *members* who wrote one (texters), not K texts: one
member may write up to MAX_TEXTS, and three texts of one author would be
theirs for anyone who knows they wrote none. Takeaways open from K members
who left one, in a section of their own: only the people of a circle or a
debrief leave one, so a takeaway among the texts of K texters could point
at the one of them who was in a room."""
MAX_TEXTS = 3
"""Anonymous texts one member may put in one day's contribution."""
MAX_SIGNPOSTS = 1
"""Signposts one contribution counts: whether this member was shown one that day."""


class Answer(NamedTuple):
    """What one member adds to one day's totals; all empty (zeros) for a named or private check-in.

    `mood` is the anonymous mood (1–5), `sisq` a Single-Item Stress answer
    (1–5), `who5` the five WHO-5 items (0–5 each), `signposts` 1 if a
    signpost was shown, `texts` the anonymous concerns and blockers,
    `takeaway` one takeaway from a circle or debrief shared anonymously (its
    words only: nothing of the session it came from).
    """

    mood: int | None = None
    sisq: int | None = None
    who5: tuple[int, ...] | None = None
    signposts: int = 0
    texts: tuple[Text, ...] = ()
    takeaway: Text | None = None


def check_answer(answer: Answer) -> None:
    """Refuse (ValueError) an answer outside its scales: an honest machine never masks one."""
    if answer.mood is not None and answer.mood not in range(1, 6):
        raise ValueError("mood is from 1 to 5")
    if answer.sisq is not None and answer.sisq not in range(1, 6):
        raise ValueError("a SISQ answer is from 1 to 5")
    if answer.who5 is not None and (len(answer.who5) != len(WHO5_ITEMS)
                                    or any(i not in range(0, 6) for i in answer.who5)):
        raise ValueError("WHO-5 is five items from 0 to 5")
    if answer.signposts not in range(0, MAX_SIGNPOSTS + 1):
        raise ValueError(f"a contribution counts at most {MAX_SIGNPOSTS} signpost")
    if len(answer.texts) > MAX_TEXTS:
        raise ValueError(f"at most {MAX_TEXTS} anonymous texts a day")
    if answer.takeaway is not None and len(answer.takeaway.body) > TAKEAWAY_LAYOUT.body_bytes:
        raise ValueError(f"a takeaway holds at most {TAKEAWAY_LAYOUT.body_bytes} bytes")


def lanes_of(answer: Answer) -> dict[str, tuple[int, ...]]:
    """The lane values of each numeric section for one answer (zeros but the contributions lane if empty)."""
    check_answer(answer)
    mood, sisq, who5 = answer.mood, answer.sisq, answer.who5
    return {
        "counts": (1, int(mood is not None), len(answer.texts), int(sisq is not None),
                   int(who5 is not None), answer.signposts, int(bool(answer.texts)),
                   int(answer.takeaway is not None)),
        "mood_mean": (1, mood or 0),
        "mood_counts": (1, *(int(mood == m) for m in range(1, 6))),
        "sisq": (1, sisq or 0, int(sisq is not None and sisq >= SISQ_HIGH)),
        "who5": (1, *(who5 or (0,) * len(WHO5_ITEMS)),
                 int(who5 is not None and sum(who5) * 4 <= WHO5_CUTOFF)),
    }


def pack(values: tuple[int, ...]) -> int:
    """Lanes side by side in one integer, lane 0 lowest."""
    packed = 0
    for i, value in enumerate(values):
        if not 0 <= value < 1 << LANE_BITS:
            raise ValueError("a lane holds 0 to 2^32 − 1")
        packed |= value << (LANE_BITS * i)
    return packed


def unpack(section: str, packed: int) -> dict[str, int] | None:
    """A section's lanes by name from its opened sum, or None when it holds more than its lanes (garbage)."""
    names = LANES[section]
    if packed >> (LANE_BITS * len(names)):
        return None
    mask = (1 << LANE_BITS) - 1
    return {name: (packed >> (LANE_BITS * i)) & mask for i, name in enumerate(names)}


def opens(section: str, counts: Mapping[str, int]) -> bool:
    """Whether a gated section may open, given the opened counts of the same contributions."""
    lane, least = GATED_BY[section]
    return counts[lane] >= least


def plausible(counts: Mapping[str, int], contributions: int) -> bool:
    """Whether opened counts could have come from `contributions` honest contributions.

    Catches a wrong share or mask (the contributions lane) and clumsy lies
    (more answers than contributions); a careful liar stays within these
    bounds (docs/aggregation.md, "What it does not protect against").
    """
    return (counts["contributions"] == contributions
            and all(counts[lane] <= contributions
                    for lane in ("answers", "sisq", "who5", "signposts", "texters", "takeaway_authors"))
            and counts["texters"] <= counts["texts"] <= MAX_TEXTS * counts["texters"])
