"""Secure aggregation (huddle_tui.aggregation): totals come out right, and nothing individual comes out.

- Shamir against its definition: shares are a polynomial's values, any t
  rebuild the secret, fewer are refused, and shares add up.
- The DC-net: texts come back from their slots; two in one slot are caught
  and sent again.
- Decoded totals equal the plain totals of the answers given, for every
  dropout pattern the design tolerates: members with no day key (round 0),
  members who never contribute (round 2), and any t of the holders
  endorsing and revealing (rounds 3–4), each phase by different members.
- The attacker: a coalition of t − 1 members with everything the folder
  holds sees the same thing whichever of two answers an honest member gave
  (for the same total); a member never reveals both shares for one member
  however the lists it is shown conflict; a late or replaced contribution
  opens nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddle_tui.aggregation import primitives
from huddle_tui.aggregation.contribution import Contribution, pair_masks
from huddle_tui.aggregation.dcnet import Opened, Text, TextLayout, decode, encode, to_send_again
from huddle_tui.aggregation.keys import DayKeys, threshold
from huddle_tui.aggregation.layout import NUMERIC, SECTIONS, Answer, lanes_of, opens, plausible
from huddle_tui.aggregation.shamir import (
    PRIME,
    evaluate,
    lagrange_at_zero,
    recover,
    split,
    x_of,
)
from huddle_tui.aggregation.unmask import (
    DayList,
    PoolReveal,
    Reveal,
    open_pool,
    reveal_pool,
)
from huddle_tui.errors import CorruptRecord, RefusedError
from huddle_tui.rules.privacy import K_DISTRIBUTION, K
from tests.aggkit import DAY, SMALL, Stream, Team, names, team

SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- Shamir -------------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.integers(0, PRIME - 1), st.integers(1, 8), st.integers(0, 5), st.data())
def test_any_t_shares_rebuild_the_secret(secret: int, t: int, extra: int, data: st.DataObject) -> None:
    """Any t of the n shares give the secret back; more than t give the same."""
    holders = names(t + extra)
    shares = split(secret, t, holders, Stream(f"shamir {secret} {t}"))
    chosen = data.draw(st.lists(st.sampled_from(holders), min_size=t, max_size=len(holders), unique=True))
    assert recover({h: shares[h] for h in chosen}, t) == secret


@settings(max_examples=40, deadline=None)
@given(st.integers(0, PRIME - 1), st.integers(2, 7))
def test_shares_are_the_values_of_one_polynomial_of_degree_below_t(secret: int, t: int) -> None:
    """The definition: there is one polynomial of degree t − 1 with f(0) = secret and f(x_j) = share j.

    Interpolating any t shares gives the polynomial; it must pass through
    every other share too, and through the secret at 0.
    """
    holders = names(t + 3)
    shares = split(secret, t, holders, Stream(f"poly {secret}"))
    basis = holders[:t]
    for other in holders[t:]:
        x = x_of(other)
        # Lagrange interpolation at x through the first t shares.
        value = 0
        for i, hi in enumerate(basis):
            xi, term = x_of(hi), shares[hi]
            for j, hj in enumerate(basis):
                if i != j:
                    xj = x_of(hj)
                    term = term * (x - xj) * pow(xi - xj, -1, PRIME) % PRIME
            value = (value + term) % PRIME
        assert value == shares[other]
    assert evaluate([secret], 12345) == secret


@settings(max_examples=30, deadline=None)
@given(st.integers(0, PRIME - 1), st.integers(0, PRIME - 1), st.integers(2, 6))
def test_fewer_than_t_shares_fit_every_secret_and_are_refused(secret: int, other: int, t: int) -> None:
    """t − 1 shares say nothing: with a share chosen at one more point, they rebuild any secret at all."""
    holders = names(t + 1)
    shares = split(secret, t, holders, Stream(f"few {secret}"))
    few = {h: shares[h] for h in holders[:t - 1]}
    with pytest.raises(ValueError):
        recover(few, t)
    # The share at the extra point that makes these t − 1 shares a sharing of `other`.
    extra = holders[t]
    xs = tuple(x_of(h) for h in [*few, extra])
    weights = lagrange_at_zero(xs)
    partial = sum(w * few[h] for w, h in zip(weights, few, strict=False)) % PRIME
    forged = (other - partial) * pow(weights[-1], -1, PRIME) % PRIME
    assert recover({**few, extra: forged}, t) == other


@settings(max_examples=30, deadline=None)
@given(st.integers(0, PRIME - 1), st.integers(0, PRIME - 1), st.integers(1, 6))
def test_shares_add_up_to_shares_of_the_sum(a: int, b: int, t: int) -> None:
    """Linearity: what lets a member reveal one share of many members' summed self-masks."""
    holders = names(t + 2)
    sa, sb = split(a, t, holders, Stream(f"a {a}")), split(b, t, holders, Stream(f"b {b}"))
    assert recover({h: (sa[h] + sb[h]) % PRIME for h in holders}, t) == (a + b) % PRIME


def test_threshold_is_more_than_two_thirds() -> None:
    """t = ⌊2n/3⌋ + 1: 3 of 3, 3 of 4, 9 of 12, 134 of 200."""
    assert [threshold(n) for n in (1, 2, 3, 4, 12, 200)] == [1, 2, 3, 3, 9, 134]
    assert all(3 * threshold(n) > 2 * n for n in range(1, 300))


# --- DC-net ----------------------------------------------------------------------------------------------

text_bodies = st.binary(min_size=0, max_size=SMALL.body_bytes)
texts_of = st.lists(st.builds(Text, st.integers(1, 255), text_bodies), max_size=3)


@settings(max_examples=60, deadline=None)
@given(st.lists(texts_of, min_size=1, max_size=6), st.integers(0, 10**6))
def test_texts_come_back_or_are_caught_colliding(per_member: list[list[Text]], seed: int) -> None:
    """The summed vectors hold every text no other text shared a slot with; every shared slot is caught."""
    slots: list[list[int]] = []
    total = 0
    for i, texts in enumerate(per_member):
        rand = Stream(f"dcnet {seed} {i}")
        vector = encode(texts, SMALL, rand)
        total += vector
        width = SMALL.slot_bytes
        raw = vector.to_bytes(SMALL.size, "little")
        slots.append([s for s in range(SMALL.slots) if any(raw[s * width:(s + 1) * width])])
    opened = decode(total, SMALL)
    used: dict[int, int] = {}
    for member_slots in slots:
        for s in member_slots:
            used[s] = used.get(s, 0) + 1
    assert opened.collisions == sum(1 for n in used.values() if n > 1)
    alone = sum(1 for n in used.values() if n == 1)
    assert len(opened.texts) == alone
    sent = [t for texts in per_member for t in texts]
    assert sorted(opened.texts + tuple(to_send_again(sent, opened))) == sorted(sent)


def test_a_collision_is_caught_and_both_texts_are_sent_again() -> None:
    """Two texts forced into one slot: neither comes out, the slot counts as a collision, both go again."""
    same_slot = Stream("same")
    a, b = Text(2, b"CI is red on main"), Text(1, b"blocked on review")
    total = encode([a], SMALL, Stream("same")) + encode([b], SMALL, same_slot)
    opened = decode(total, SMALL)
    assert opened == Opened((), 1)
    assert to_send_again([a], opened) == [a]


def test_a_text_too_long_for_its_slot_is_refused() -> None:
    """The slot's width is fixed (cover: one size for every contribution)."""
    with pytest.raises(ValueError):
        encode([Text(1, b"x" * (SMALL.body_bytes + 1))], SMALL, os.urandom)


# --- Decoding: totals equal the plain totals ------------------------------------------------------------

answers = st.one_of(
    st.none(),  # did not check in: no contribution
    st.just(Answer()),  # a named or private check-in: zeros
    st.builds(Answer, mood=st.one_of(st.none(), st.integers(1, 5)),
              sisq=st.one_of(st.none(), st.integers(1, 5)),
              who5=st.one_of(st.none(), st.tuples(*[st.integers(0, 5)] * 5)), signposts=st.integers(0, 1),
              texts=st.lists(st.builds(Text, st.integers(1, 3), st.binary(min_size=1, max_size=20)),
                             max_size=1).map(tuple),
              takeaway=st.one_of(st.none(), st.builds(Text, st.just(1), st.binary(min_size=1, max_size=20)))),
)


def plain(given_answers: Iterable[Answer]) -> dict[str, dict[str, int]]:
    """The totals of the answers as plain sums of their lanes."""
    out: dict[str, dict[str, int]] = {}
    from huddle_tui.aggregation.layout import LANES

    for answer in given_answers:
        for section, values in lanes_of(answer).items():
            lanes = out.setdefault(section, dict.fromkeys(LANES[section], 0))
            for name, v in zip(LANES[section], values, strict=True):
                lanes[name] += v
    return out


@SLOW
@given(st.integers(3, 8), st.data())
def test_decoded_totals_equal_the_plain_totals_for_every_tolerated_dropout(n: int,
                                                                           data: st.DataObject) -> None:
    """Whoever has no day key, never contributes, or never comes back to endorse or reveal (up to n − t)."""
    everyone = names(n)
    keyed = data.draw(st.lists(st.sampled_from(everyone), min_size=2, max_size=n, unique=True), label="keyed")
    keyed.sort()
    t_ = team(keyed, label=f"totals {n} {keyed}")
    given_answers: dict[str, Answer] = {}
    for m in keyed:
        answer = data.draw(answers, label=f"answer {m}")
        if answer is not None:
            given_answers[m] = answer
            t_.contribute(m, DAY, answer)
    day_list = t_.propose(DAY)
    assert set(day_list.survivors) == set(given_answers)
    t = day_list.threshold
    endorsers = data.draw(st.lists(st.sampled_from(keyed), min_size=t, max_size=len(keyed), unique=True))
    t_.endorse(endorsers, day_list)
    first = data.draw(st.lists(st.sampled_from(keyed), min_size=t, max_size=len(keyed), unique=True))
    t_.reveal(first, day_list)
    opened = t_.open(day_list)
    expected = plain(given_answers.values())
    assert opened.faults == ()
    if len(given_answers) < K:
        assert opened.sections == {}  # too few contributors: even the counts stay closed (pooled instead)
        return
    counts = opened.sections["counts"]
    assert counts == expected["counts"] and plausible(counts, len(given_answers))
    second = data.draw(st.lists(st.sampled_from(keyed), min_size=t, max_size=len(keyed), unique=True))
    t_.reveal(second, day_list, counts)
    opened = t_.open(day_list)
    for section in NUMERIC:
        if section == "counts" or opens(section, counts):
            assert opened.sections[section] == expected[section]
        else:
            assert section not in opened.sections
    if opens("texts", counts):
        assert opened.texts is not None
        sent = [text for a in given_answers.values() for text in a.texts]
        assert sorted(opened.texts.texts + tuple(to_send_again(sent, opened.texts))) == sorted(sent)
    else:
        assert opened.texts is None
    left = [a.takeaway for a in given_answers.values() if a.takeaway is not None]
    assert counts["takeaway_authors"] == len(left)
    if len(left) >= K:  # the takeaways open, in their own section: each comes back or is caught colliding
        assert opened.takeaways is not None
        assert sorted(opened.takeaways.texts + tuple(to_send_again(left, opened.takeaways))) == sorted(left)
    else:
        assert opened.takeaways is None
        assert all(not r.takeaways for r in t_.reveals[DAY])  # no holder revealed a takeaway seed


def test_fewer_than_t_revealers_open_nothing() -> None:
    """t − 1 holders' shares are not enough for anything: not a dropped key, not a self-mask sum."""
    t_ = team(names(6))
    for m in names(6)[:4]:
        t_.contribute(m, DAY, Answer(mood=2))
    day_list = t_.propose(DAY)
    t_.endorse(names(6), day_list)
    t_.reveal(names(6)[:day_list.threshold - 1], day_list)
    assert t_.open(day_list).sections == {}


def test_an_unendorsed_list_is_refused() -> None:
    """A holder reveals nothing for a list fewer than t holders signed."""
    t_ = team(names(4))
    for m in names(4):
        t_.contribute(m, DAY, Answer(mood=4))
    day_list = t_.propose(DAY)
    t_.endorse(names(4)[:day_list.threshold - 1], day_list)
    with pytest.raises(RefusedError, match="not endorsed"):
        t_.reveal(names(4)[:1], day_list)


def test_the_distribution_waits_for_five_answers_and_the_mean_for_three() -> None:
    """With 4 anonymous answers the mean opens and the distribution stays masked (K, K_DISTRIBUTION)."""
    t_ = team(names(6))
    for i, m in enumerate(names(6)):
        t_.contribute(m, DAY, Answer(mood=i + 1) if i < K_DISTRIBUTION - 1 else Answer())
    day_list = t_.propose(DAY)
    t_.endorse(names(6), day_list)
    t_.reveal(names(6), day_list)
    counts = t_.open(day_list).sections["counts"]
    assert counts["answers"] == 4
    t_.reveal(names(6), day_list, counts)
    opened = t_.open(day_list)
    assert opened.sections["mood_mean"]["mood_sum"] == 1 + 2 + 3 + 4
    assert "mood_counts" not in opened.sections


# --- Pooling into the week -------------------------------------------------------------------------------

def test_days_short_of_the_k_rule_pool_into_one_week_total() -> None:
    """Two days of 2 and 1 anonymous answers: neither mean opens alone; the pooled mean of 3 does."""
    days = ["2026-11-23", "2026-11-24"]
    t_ = team(names(5), days)
    moods = {days[0]: [5, 1], days[1]: [2]}
    parts = []
    for day in days:
        for i, m in enumerate(names(5)[:4]):
            t_.contribute(m, day, Answer(mood=moods[day][i]) if i < len(moods[day]) else Answer())
        day_list = t_.propose(day)
        t_.endorse(names(5), day_list)
        t_.reveal(names(5), day_list)
        counts = t_.open(day_list).sections["counts"]
        t_.reveal(names(5), day_list, counts)
        opened = t_.open(day_list)
        assert "mood_mean" not in opened.sections
        parts.append((day_list, opened, counts))
    pooled_counts = {k: parts[0][2][k] + parts[1][2][k] for k in parts[0][2]}
    pools: list[PoolReveal] = []
    for m in names(5):
        machine = t_.machines[m]
        got = reveal_pool(m, machine.key, "mood_mean", [(p[0], t_.contributions[p[0].day]) for p in parts],
                          machine.released, pooled_counts)
        machine.released.append(got)
        pools.append(got)
    total = open_pool("mood_mean", [(p[0], p[1]) for p in parts], pools)
    assert total == {"contributions": 8, "mood_sum": 5 + 1 + 2}
    # A day already pooled is never revealed on its own afterwards, nor in another pool.
    machine = t_.machines[names(5)[0]]
    with pytest.raises(RefusedError):
        reveal_pool(names(5)[0], machine.key, "mood_mean", [(parts[0][0], t_.contributions[days[0]])],
                    machine.released, pooled_counts)


# --- The attacker ------------------------------------------------------------------------------------------

class Recording:
    """A source of randomness that records what it gave, so a second world can replay it with changes."""

    def __init__(self, inner: Callable[[int], bytes]) -> None:
        """Wrap `inner`."""
        self.inner = inner
        self.drawn: list[bytes] = []

    def __call__(self, size: int) -> bytes:
        """Draw and record."""
        out = self.inner(size)
        self.drawn.append(out)
        return out


def vanishing_on(points: list[int], t: int) -> list[int]:
    """Coefficients of L with L(0) = 1 and L(c) = 0 at each coalition point (degree t − 1 at most)."""
    coefficients = [1]
    for c in points:
        inv = pow(c, -1, PRIME)  # multiply by (1 − x/c)
        coefficients = [(a - (coefficients[i - 1] * inv if i else 0)) % PRIME
                        for i, a in enumerate([*coefficients, 0])]
    return coefficients + [0] * (t - len(coefficients))


def view(t_: Team, coalition: list[str], day_list: DayList) -> dict[str, Any]:
    """Everything the coalition holds: every value in the folder (but ciphertexts sealed to others and the
    digests that hash them) and every share sealed to one of them, opened."""
    contributions = t_.contributions[DAY]
    out: dict[str, Any] = {}
    for m, c in sorted(contributions.items()):
        payload = c.to_payload()
        del payload["shares"]  # the ciphertexts sealed to the coalition, alone:
        out[f"contribution {m}"] = (payload, {h: s for h, s in c.shares.items() if h in coalition})
        for h in coalition:
            out[f"masks of {m} to {h}"] = c.self_mask_shares(h, t_.machines[h].key)
    for m, batch in t_.batches.items():
        for h in coalition:
            out[f"seed of {m} to {h}"] = batch.seed_share(DAY, h, t_.machines[h].key)
    for r in t_.reveals.get(DAY, []):
        out[f"reveal {r.member} {sorted(r.masks)}"] = (r.seeds, r.masks, r.texts)
    opened = t_.open(day_list)
    out["opened"] = (opened.sections, opened.texts)
    return out


def swap_world(n: int, coalition: list[str], honest: tuple[str, str], a: Answer, b: Answer,
               others: Mapping[str, Answer]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The coalition's view when honest[0] answers a and honest[1] b, and when they swap — from randomness
    that differs only in the two honest members' self-masks and the share polynomials' coefficients."""
    views = []
    recorded: dict[str, Recording] = {}
    for world in (0, 1):
        t_ = team(names(n), label="swap")
        for m in names(n):
            if m in honest:
                first = (m == honest[0]) == (world == 0)
                answer = a if first else b
                if world == 0:
                    rand = recorded[m] = Recording(Stream(f"swap {m}"))
                    t_.contribute(m, DAY, answer, rand)
                else:
                    t_.contribute(m, DAY, answer, replay(recorded[m], m, honest, a, b, coalition, n))
            elif m in others:
                t_.contribute(m, DAY, others[m], Stream(f"swap {m}"))
        day_list = t_.propose(DAY)
        t_.endorse(names(n), day_list)
        t_.reveal(names(n), day_list)
        counts = t_.open(day_list).sections["counts"]
        t_.reveal(names(n), day_list, counts)
        views.append(view(t_, coalition, day_list))
    return views[0], views[1]


def replay(recorded: Recording, member: str, honest: tuple[str, str], a: Answer, b: Answer,
           coalition: list[str], n: int) -> Replay:
    """Member's randomness in the swapped world: self-masks moved by the answers' difference, and each share
    polynomial moved by that difference times L, so every coalition share stays as it was."""
    sign_ = 1 if member == honest[0] else -1
    la, lb = lanes_of(a), lanes_of(b)
    from huddle_tui.aggregation.layout import pack

    delta = {s: sign_ * (pack(la[s]) - pack(lb[s])) % PRIME for s in NUMERIC}
    delta["texts"] = delta["takeaways"] = 0
    t = threshold(n)
    ell = vanishing_on([x_of(c) for c in coalition], t)
    drawn = list(recorded.drawn)
    out: list[bytes] = []
    for i, section in enumerate(SECTIONS):  # the six self-masks, 64 bytes each, in SECTIONS order
        r = int.from_bytes(drawn[i][:64], "little") % PRIME
        out.append(((r + delta[section]) % PRIME).to_bytes(64, "little"))
    k = len(SECTIONS)
    for section in SECTIONS:  # then each section's t − 1 coefficients
        for j in range(1, t):
            c = int.from_bytes(drawn[k][:64], "little") % PRIME
            out.append(((c + delta[section] * ell[j]) % PRIME).to_bytes(64, "little"))
            k += 1
    out.extend(drawn[k:])  # the nonce
    return Replay(out)


class Replay:
    """Randomness given back chunk by chunk."""

    def __init__(self, chunks: list[bytes]) -> None:
        """Hold the chunks."""
        self.chunks = list(chunks)

    def __call__(self, size: int) -> bytes:
        """The next chunk (of the size asked)."""
        chunk = self.chunks.pop(0)
        assert len(chunk) == size
        return chunk


@SLOW
@given(st.integers(5, 8), st.data())
def test_a_coalition_of_t_minus_1_sees_the_same_for_two_answers_with_the_same_total(
        n: int, data: st.DataObject) -> None:
    """Perfect hiding, shown by construction: for every run where Ana says a and Ben b, there is a run,
    as likely, where Ana says b and Ben a, in which t − 1 colluding members see exactly the same values —
    every masked section, every share sealed to them, every revealed share, every opened total. (What
    differs is only ciphertext sealed to Ana and Ben's other teammates, which the coalition cannot open.)
    """
    everyone = names(n)
    t = threshold(n)
    honest = (everyone[0], everyone[1])
    coalition = data.draw(st.lists(st.sampled_from(everyone[2:]), min_size=t - 1, max_size=t - 1,
                                   unique=True))
    mood_pair = data.draw(st.tuples(st.integers(1, 5), st.integers(1, 5)).filter(lambda p: p[0] != p[1]))
    a, b = Answer(mood=mood_pair[0], sisq=2), Answer(mood=mood_pair[1], sisq=5)
    others = {m: Answer(mood=3) for m in everyone[2:]}
    seen_a, seen_b = swap_world(n, coalition, honest, a, b, others)
    assert seen_a == seen_b


def conflicting_lists(t_: Team, day: str = DAY) -> tuple[DayList, DayList]:
    """Two lists of one day: the real one, and one that calls its first survivor dropped."""
    real = t_.propose(day)
    first = sorted(real.survivors)[0]
    fake = DayList(day, real.keys, real.holders, {m: d for m, d in real.survivors.items() if m != first})
    return real, fake


@SLOW
@given(st.integers(4, 9), st.data())
def test_a_member_never_reveals_both_shares_for_one_member_whatever_lists_it_is_shown(
        n: int, data: st.DataObject) -> None:
    """The coalition endorses two conflicting lists and shows each honest member one, then the other:
    each honest member reveals for the first it sees and refuses the second, so across every reveal no
    member's day-key share and self-mask share ever both come from one holder."""
    everyone = names(n)
    t_ = team(everyone, label=f"conflict {n}")
    for m in everyone:
        t_.contribute(m, DAY, Answer(mood=2))
    real, fake = conflicting_lists(t_)
    t_.endorse(everyone, real)
    for m in everyone:
        t_.endorsements.setdefault("fake", {})[m] = fake.digest
    endorsements = {"real": t_.endorsements[DAY], "fake": t_.endorsements["fake"]}
    from huddle_tui.aggregation.unmask import reveal

    for m in everyone:
        order = data.draw(st.permutations([("real", real), ("fake", fake)]), label=f"order {m}")
        machine = t_.machines[m]
        name, first_list = order[0]
        got = reveal(m, machine.key, first_list, endorsements[name], t_.contributions[DAY], t_.batches,
                     machine.released)
        machine.released.append(got)
        name, second_list = order[1]
        with pytest.raises(RefusedError, match=sorted(real.survivors)[0]):
            reveal(m, machine.key, second_list, endorsements[name], t_.contributions[DAY], t_.batches,
                   machine.released)
    for machine in t_.machines.values():
        seeds = {v for r in machine.released if isinstance(r, Reveal) for v in r.seeds}
        masked = {v for r in machine.released if isinstance(r, Reveal) if r.masks for v in r.survivors}
        assert not seeds & masked


def test_two_versions_of_one_contribution_never_both_unmask() -> None:
    """A member changes their answer before the day opens: a list naming the old version is refused by
    a holder who revealed for the new one (subtracting the two would give the change)."""
    t_ = team(names(4))
    for m in names(4):
        t_.contribute(m, DAY, Answer(mood=1))
    old = t_.propose(DAY)
    t_.contribute(names(4)[0], DAY, Answer())  # switched to named: a zero contribution replaces it
    new = t_.propose(DAY)
    assert old.survivors[names(4)[0]] != new.survivors[names(4)[0]]
    t_.endorse(names(4), new)
    t_.reveal(names(4), new)
    machine = t_.machines[names(4)[1]]
    endorsements = dict.fromkeys(names(4), old.digest)
    from huddle_tui.aggregation.unmask import reveal

    old_contributions = {**t_.contributions[DAY]}
    with pytest.raises(RefusedError, match=names(4)[0]):
        reveal(names(4)[1], machine.key, old, endorsements, old_contributions, t_.batches, machine.released)


def test_a_late_contribution_changes_nothing_and_stays_masked() -> None:
    """A dropped member contributes after the day's shares are out: readers sum only the list, and even
    with the member's rebuilt day key every pairwise mask comes off but the self-mask stays on."""
    everyone = names(5)
    t_ = team(everyone)
    for m in everyone[:4]:
        t_.contribute(m, DAY, Answer(mood=3))
    day_list = t_.propose(DAY)
    t_.endorse(everyone, day_list)
    t_.reveal(everyone, day_list)
    before = t_.open(day_list)
    late_member = everyone[4]
    late = t_.contribute(late_member, DAY, Answer(mood=1))
    assert t_.open(day_list) == before
    # The attacker rebuilds the late member's day key from the revealed seed shares …
    shares = {r.member: r.seeds[late_member] for r in t_.reveals[DAY]}
    seed = recover(shares, t_.batches[late_member].threshold)
    secret = primitives.day_secret(seed)
    mine = t_.batches[late_member].days[DAY]
    residual = late.numeric[NUMERIC.index("mood_mean")]
    for other in everyone[:4]:
        masks, _ = pair_masks(DAY, secret, mine, t_.batches[other].days[DAY], SMALL)
        s = 1 if mine < t_.batches[other].days[DAY] else -1
        residual = (residual - s * masks[NUMERIC.index("mood_mean")]) % PRIME
    # … and is left with the answer plus a self-mask whose shares were never revealed.
    from huddle_tui.aggregation.layout import pack

    answer = pack(lanes_of(Answer(mood=1))["mood_mean"])
    assert residual != answer
    assert not any(late_member in r.survivors for r in t_.reveals[DAY])
    # And no holder will reveal for a list that adds the late contribution now.
    with_late = t_.propose(DAY)
    t_.endorse(everyone, with_late)
    with pytest.raises(RefusedError, match=late_member):
        t_.reveal(everyone[:1], with_late)


# --- Records read back ---------------------------------------------------------------------------------

def test_published_forms_read_back_and_malformed_ones_are_refused() -> None:
    """Batches, contributions, lists and reveals survive to_payload/from_payload; a damaged one is corrupt."""
    t_ = team(names(4))
    for m in names(4):
        t_.contribute(m, DAY, Answer(mood=4, texts=(Text(1, b"hello"),)))
    day_list = t_.propose(DAY)
    t_.endorse(names(4), day_list)
    (r,) = t_.reveal(names(4)[:1], day_list)
    batch = t_.batches[names(4)[0]]
    c = t_.contributions[DAY][names(4)[0]]
    assert DayKeys.from_payload(batch.to_payload()) == batch
    assert Contribution.from_payload(c.to_payload(), SMALL) == c
    assert DayList.from_payload(day_list.to_payload()) == day_list
    assert Reveal.from_payload(r.to_payload(), day_list) == r
    pool = PoolReveal(names(4)[0], "mood_mean", ((DAY, day_list.digest),), 7)
    assert PoolReveal.from_payload(pool.to_payload()) == pool
    bad = c.to_payload()
    bad["numeric"] = bad["numeric"][:-1]
    with pytest.raises(CorruptRecord):
        Contribution.from_payload(bad, SMALL)
    with pytest.raises(CorruptRecord):
        Contribution.from_payload({**c.to_payload(), "texts": "AAAA"}, SMALL)
    with pytest.raises(CorruptRecord):
        DayKeys.from_payload({**batch.to_payload(), "threshold": 1})
    low_order = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"  # the all-zero point
    with pytest.raises(CorruptRecord):
        DayKeys.from_payload({**batch.to_payload(), "share_key": low_order})


def test_every_contribution_of_a_day_has_one_size() -> None:
    """Cover: a zero contribution (named, private) and a full one are the same number of bytes."""
    t_ = team(names(5), layout=TextLayout())
    full = Answer(mood=1, sisq=5, who5=(0, 0, 1, 0, 0), signposts=1,
                  texts=(Text(1, "é" .encode() * 140), Text(2, b"x"), Text(3, b"")))
    sizes = {len(str(t_.contribute(m, DAY, a).to_payload()))
             for m, a in zip(names(5), [Answer(), full, Answer(mood=3), Answer(), full], strict=True)}
    assert len(sizes) == 1
