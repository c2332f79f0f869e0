"""What of a check-in goes into the day's contribution, and how an opened text reads back as a concern.

Only what is anonymous, and only what cannot tell two answers apart: the
mood of an anonymous check-in, each anonymous concern's kind and words (no
id, no follow-up, no `source`, no time), the day's measure answers and
whether a signpost was shown. Everything else of the check-in stays in its
named record, its placeholder or this machine's private folder.
"""

from __future__ import annotations

from collections.abc import Iterable

from huddle_tui.aggregation.dcnet import Text
from huddle_tui.aggregation.layout import MAX_TEXTS, Answer
from huddle_tui.errors import RefusedError
from huddle_tui.model.checkin import CONCERN_KINDS, Concern
from huddle_tui.rules import measures as m
from huddle_tui.totals.records import LAYOUT

TEXT_KINDS: dict[str, int] = {kind: number for number, kind in enumerate(CONCERN_KINDS, start=1)}
"""A concern's kind as a text's kind number (a DC-net slot's first byte)."""
KIND_NAMES: dict[int, str] = {number: kind for kind, number in TEXT_KINDS.items()}


def text_of(concern: Concern) -> Text:
    """An anonymous concern as a text: its kind and its words, nothing else (RefusedError: too long)."""
    body = concern.text.strip().encode()
    if len(body) > LAYOUT.body_bytes:
        raise RefusedError(f"an anonymous {concern.kind} goes into the team's totals with at most "
                           f"{LAYOUT.body_bytes} bytes (about {LAYOUT.body_bytes} letters); this one has "
                           f"{len(body)}: shorten it; nothing saved")
    return Text(TEXT_KINDS.get(concern.kind, TEXT_KINDS["concern"]), body)


def concern_of(text: Text) -> tuple[str, str]:
    """An opened text as (kind, words); a text that is not UTF-8 reads with replacement marks."""
    return KIND_NAMES.get(text.kind, "concern"), text.body.decode("utf-8", errors="replace")


def text_opened(kind: str, words: str) -> Text:
    """A text as an opened view lists it, (kind, words), back as the text it came from."""
    return Text(TEXT_KINDS.get(kind, TEXT_KINDS["concern"]), words.encode())


def answer_for(mood: int | None, concerns: Iterable[Concern], measures: Iterable[m.Answer],
               signposted: bool) -> Answer:
    """The contribution's answer: `mood` (None unless anonymous), the anonymous concerns, the marks.

    Refuses (RefusedError) more anonymous concerns than a contribution holds.
    """
    texts = tuple(text_of(c) for c in concerns)
    if len(texts) > MAX_TEXTS:
        raise RefusedError(f"at most {MAX_TEXTS} anonymous concerns a day go into the team's totals; "
                           f"this check-in has {len(texts)}; nothing saved")
    sisq = who5 = None
    for answer in measures:
        if answer.measure == m.SISQ and m.valid(answer):
            sisq = answer.items[0]
        elif answer.measure == m.WHO5 and m.valid(answer):
            who5 = tuple(answer.items)
    return Answer(mood=mood, sisq=sisq, who5=who5, signposts=int(signposted), texts=texts)
