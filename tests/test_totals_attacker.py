"""An attacker who reads the raw shared folder of a team whose anonymous answers go only to its totals.

The attacker is a teammate: they see every file (names, sizes, stat times,
the order they were written in) and every record's content, and hold their
own keys. Two days that differ only in who answered anonymously and what
they said leave folders that look the same file for file, and no
contribution opens on its own with what the attacker holds. A contribution
written after the day's cut-off, or a total that claims more anonymous
answers than signed placeholders, changes nothing any reader shows.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from huddle_tui.aggregation import dcnet, primitives
from huddle_tui.aggregation.contribution import (
    Contribution,
    contribute,
    numeric_masks,
    sign,
    text_mask,
    text_self_mask,
)
from huddle_tui.aggregation.layout import NUMERIC, Answer, plausible, unpack
from huddle_tui.aggregation.shamir import PRIME, recover
from huddle_tui.errors import RefusedError
from huddle_tui.model.checkin import CheckIn, Concern
from huddle_tui.storage import envelope
from huddle_tui.totals import secrets
from huddle_tui.totals.records import CONTRIBUTION, LAYOUT, read_day, record_id
from tests.totalskit import DAY, NAMES, Homes, distinct_slots

Day = list[tuple[str, str, int]]  # (member, visibility, mood) in the order they check in


def play(root: Path, monkeypatch: pytest.MonkeyPatch, day: Day, said: dict[str, str] | None = None) -> Homes:
    """A team whose keys went out a week ahead, and one day of check-ins on their own machines.

    `said`: an anonymous concern some members raise with their check-in, whatever its visibility.
    """
    homes = Homes(root, monkeypatch)
    homes.keys_ahead()
    for name, visibility, mood in day:
        words = (said or {}).get(name)
        concerns = (Concern.new(words, "concern", "anonymous"),) if words else ()
        homes.check_in(name, visibility, mood, concerns=concerns)
    return homes


def folder_as_seen(homes: Homes) -> dict[str, tuple[int, int]]:
    """What the raw folder shows without reading a mask: each file's size and modification time.

    A file is named by its kind, month, member and version (a key record's id
    comes from a key, random in each world; every other id from its kind,
    member and day); the checksum in its name is left out, as it hashes its
    content.
    """
    seen = {}
    for path in homes.files():
        st_ = path.stat()
        record = envelope.decode(path.read_bytes())
        seen[f"{record.kind}/{record.date[:7]}/{record.payload.get('member')}.{record.version}"] = \
            (st_.st_size, st_.st_mtime_ns)
    return seen


def same_order(a: dict[str, tuple[int, int]], b: dict[str, tuple[int, int]]) -> bool:
    """Whether two folders' files came in the same order, wherever both clocks tell two files apart.

    A file system's clock ticks coarsely: two files written within one tick
    share a time in one world and not in the other, which says nothing.
    """
    names = sorted(a)
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            da, db = a[x][1] - a[y][1], b[x][1] - b[y][1]
            if da and db and (da > 0) != (db > 0):
                return False
    return True


_WITHHELD = st.lists(st.tuples(st.sampled_from(["anonymous", "private"]), st.integers(1, 5),
                               st.sampled_from(["", "burnt out", "the release date worries me a lot"])),
                     min_size=3, max_size=3)


# Each example plays two five-member days on real files: a few, generated only (shrinking one would
# replay hundreds of days).
@settings(max_examples=1, deadline=None, phases=(Phase.explicit, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_WITHHELD, _WITHHELD)
@example([("anonymous", 1, "burnt out"), ("anonymous", 5, ""), ("private", 3, "")],
         [("private", 2, ""), ("anonymous", 4, ""), ("anonymous", 1, "the release date worries me a lot")])
def test_who_answered_anonymously_and_what_leaves_the_same_folder(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        first: list[tuple[str, int, str]], second: list[tuple[str, int, str]]) -> None:
    """Ana, Ben and Chen withhold answers (maybe with an anonymous concern); Dara and Emeka name theirs.

    Whatever the three chose and wrote, the folder holds the same files, of
    the same sizes, written in the same order: it says who checked in,
    nothing more.
    """
    seen = []
    for world in (first, second):
        day = [(n, v, m) for n, (v, m, _) in zip(NAMES[:3], world, strict=True)]
        day += [("Dara", "team", 4), ("Emeka", "team", 2)]
        said = {n: words for n, (_, _, words) in zip(NAMES[:3], world, strict=True)}
        homes = play(tmp_path_factory.mktemp("world"), monkeypatch, day, said)
        raw_bytes = b"".join(p.read_bytes() for p in homes.files())
        assert not [words for words in said.values() if words and words.encode() in raw_bytes]
        raw = [envelope.decode(p.read_bytes()) for p in homes.files()]
        assert not [r for r in raw if r.kind == "checkin" and r.payload.get("visibility") == "anonymous"]
        assert not [r for r in raw if r.kind == CONTRIBUTION and set(r.payload) & {"mood", "source"}]
        seen.append(folder_as_seen(homes))
    assert {k: size for k, (size, _) in seen[0].items()} == {k: size for k, (size, _) in seen[1].items()}
    assert same_order(seen[0], seen[1])


def test_no_contribution_opens_with_what_a_teammate_holds(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Emeka, who answered by name, takes his own masks out of each teammate's contribution: garbage.

    He holds his day seed (so his pairwise mask with each teammate) and one
    share of each self-mask (t = 4 are needed): every section of every other
    contribution still holds more than its lanes, for each mood it could be
    (the counts fill their element's bits: there the lanes are garbage no
    honest contribution could hold).
    """
    homes = play(tmp_path, monkeypatch, [("Ana", "anonymous", 1), ("Ben", "anonymous", 5),
                                         ("Chen", "anonymous", 3), ("Dara", "private", 2),
                                         ("Emeka", "team", 4)])
    journal = homes.journal("Emeka", DAY)
    steps = journal.totals_steps()
    assert steps is not None
    records = read_day(journal.shared, homes.team, DAY.isoformat(), journal._totals_trust())
    iso = DAY.isoformat()
    mine = records.roster["Emeka"].days[iso]
    seed = secrets.kept_seed(journal.private, homes.team.shared_dir, "Emeka", iso, mine)
    assert seed is not None
    secret = primitives.day_secret(seed)
    for name, c in records.contributions.items():
        if name == "Emeka":
            continue
        theirs = records.roster[name].days[iso]
        masks = numeric_masks(primitives.pair_key(b"huddle-mask", secret, mine, theirs), iso)
        own_share = c.self_mask_shares("Emeka", steps.key())
        for i, section in enumerate(NUMERIC):
            stripped = (c.numeric[i] + sign(mine, theirs) * masks[i]) % PRIME  # my mask taken out
            for value in (stripped, (stripped - own_share[section]) % PRIME):
                lanes = unpack(section, value)
                assert lanes is None or (section == "counts" and not plausible(lanes, 1))


def test_no_text_opens_on_its_own_even_once_the_day_opened(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Emeka strips every mask he can from each teammate's text vector, after the day opened: garbage.

    Once the texts open, each listed member's text self-mask is rebuilt from
    the reveals (the folder holds them), and Emeka holds his own pairwise
    mask with everyone: what remains of one contribution is still hidden by
    its pairwise masks with the other three, and decodes to no text at all.
    """
    distinct_slots(monkeypatch)
    said = {"Ana": "burnt out", "Ben": "the release date worries me", "Chen": "I want to change teams"}
    homes = play(tmp_path, monkeypatch, [("Ana", "anonymous", 1), ("Ben", "anonymous", 5),
                                         ("Chen", "private", 3), ("Dara", "team", 2),
                                         ("Emeka", "team", 4)], said)
    homes.morning_after()
    assert [t["text"] for t in homes.totals("Emeka")["texts"]] == sorted(said.values())
    journal = homes.journal("Emeka", homes.team.next_workday(DAY))
    iso = DAY.isoformat()
    records = read_day(journal.shared, homes.team, iso, journal._totals_trust())
    (day_list,) = records.agreed()
    reveals = records.reveals_for(day_list)
    mine = records.roster["Emeka"].days[iso]
    seed = secrets.kept_seed(journal.private, homes.team.shared_dir, "Emeka", iso, mine)
    assert seed is not None
    secret = primitives.day_secret(seed)
    for name, c in records.listed(day_list).items():
        if name == "Emeka":
            continue
        own_seed = recover({r.member: r.texts[name] for r in reveals if name in r.texts}, day_list.threshold)
        theirs = records.roster[name].days[iso]
        pair = primitives.pair_key(b"huddle-mask", secret, mine, theirs)
        stripped = (int.from_bytes(c.texts, "little") - text_self_mask(own_seed, iso, LAYOUT)
                    + sign(mine, theirs) * text_mask(pair, iso, LAYOUT)) % LAYOUT.modulus
        opened = dcnet.decode(stripped, LAYOUT)
        assert opened.texts == () and opened.collisions == LAYOUT.slots
        assert not [w for w in said.values() if w.encode() in stripped.to_bytes(LAYOUT.size, "little")]


def test_a_late_contribution_is_refused_by_every_reader(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """After the day opened: Ana's new answer and Emeka's first one are written anyway, and nothing moves.

    Their machines refuse to write them (the cut-off passed); written by hand
    with their own keys, no reader sums them and no machine reveals for them.
    """
    homes = play(tmp_path, monkeypatch, [("Ana", "anonymous", 1), ("Ben", "anonymous", 2),
                                         ("Chen", "anonymous", 3), ("Dara", "anonymous", 4)])
    homes.morning_after()
    before = {name: homes.totals(name) for name in NAMES}
    assert before["Ana"]["mean"] == 2.5
    after = homes.team.next_workday(DAY)
    with pytest.raises(RefusedError, match="closed"):
        homes.journal("Emeka", after).save_checkin(CheckIn(DAY.isoformat(), 5, "Emeka",
                                                           visibility="anonymous"))
    with pytest.raises(RefusedError, match="stays in the day's totals"):
        homes.journal("Ana", after).save_checkin(CheckIn(DAY.isoformat(), 5, "Ana", visibility="anonymous"))
    for name, mood in (("Ana", 5), ("Emeka", 5)):
        journal = homes.journal(name, after)
        steps = journal.totals_steps()
        assert steps is not None
        assert steps.contribute(DAY, after, Answer(mood=mood)) is None  # its own machine writes nothing now
        iso = DAY.isoformat()
        records = read_day(journal.shared, homes.team, iso, journal._totals_trust())
        seed = secrets.kept_seed(journal.private, homes.team.shared_dir, name, iso,
                                 records.roster[name].days[iso])
        assert seed is not None
        late: Contribution = contribute(name, iso, Answer(mood=mood), records.roster, seed, steps.key(),
                                        LAYOUT, os.urandom)
        steps.publish(CONTRIBUTION, record_id(CONTRIBUTION, name, iso), iso, late.to_payload())
    homes.morning_after(rounds=2)
    assert {name: homes.totals(name) for name in NAMES} == before


def test_a_total_claiming_more_answers_than_placeholders_is_flagged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dara answers by name but her machine masks a mood anyway: 4 answers, 3 placeholders, nothing shown.

    Claiming answers one did not give would let a liar push a day past the k
    rule and subtract their own; counting signed placeholders stops it.
    """
    homes = play(tmp_path, monkeypatch, [("Ana", "anonymous", 1), ("Ben", "anonymous", 2),
                                         ("Chen", "anonymous", 3), ("Dara", "team", 4),
                                         ("Emeka", "team", 4)])
    steps = homes.journal("Dara", DAY).totals_steps()
    lie = Answer(mood=5)  # a lie in her own contribution
    assert steps is not None and steps.contribute(DAY, DAY, lie) is not None
    homes.morning_after()
    for name in NAMES:
        totals = homes.totals(name)
        assert (totals["state"], totals["mean"], totals["distribution"]) == ("flagged", None, None)
    assert "a contribution is not honest" in homes.summary("Ana", fmt="text")


def test_a_team_not_in_totals_mode_writes_no_aggregation_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default mode is unchanged: no keys, no contributions, the summary has no totals."""
    homes = Homes(tmp_path, monkeypatch, anonymous="records")
    homes.keys_ahead(DAY - timedelta(days=1))
    homes.check_in("Ana", "anonymous", 2)
    homes.check_in("Ben", "team", 3)
    kinds = {envelope.decode(p.read_bytes()).kind for p in homes.files()}
    assert kinds <= {"checkin", "key"}
    assert homes.totals("Ben") is None


_ANSWER = st.tuples(st.sampled_from(["team", "anonymous", "private", "absent"]), st.integers(1, 5),
                    st.sampled_from(["", "burnt out", "too many meetings", "the build is slow"]),
                    st.one_of(st.none(), st.integers(1, 5)))


def plain_totals(answers: dict[str, tuple[str, int, str, int | None]]) -> dict[str, object]:
    """What the day's totals must show, worked out in the clear from every answer given (the k rules)."""
    from huddle_tui.rules.privacy import K_DISTRIBUTION, K

    given = {n: a for n, a in answers.items() if a[0] != "absent"}
    moods = [mood for visibility, mood, _, _ in given.values() if visibility == "anonymous"]
    texts = sorted(words for _, _, words, _ in given.values() if words)
    stress = [s for _, _, _, s in given.values() if s is not None]
    if len(given) < K:
        return {"state": "opening", "contributions": len(given)}
    out: dict[str, object] = {"contributions": len(given), "answers": len(moods)}
    out["state"] = "open" if len(moods) >= K else "too few"
    out["mean"] = round(sum(moods) / len(moods), 2) if len(moods) >= K else None
    counts = {m: moods.count(m) for m in range(1, 6) if m in moods}
    out["distribution"] = {str(m): c for m, c in counts.items()} if len(moods) >= K_DISTRIBUTION else None
    out["texts"] = [{"kind": "concern", "text": t} for t in texts] if len(texts) >= K else None
    out["texts_sealed"] = 0 < len(texts) < K
    out["measures"] = None
    if len(stress) >= K:
        out["measures"] = {"sisq": {"answers": len(stress), "mean": round(sum(stress) / len(stress), 1),
                                    "past_cutoff": sum(1 for s in stress if s >= 4), "sum": sum(stress)}}
    return out


# Each example plays a five-member day on real files: a few, generated only.
@settings(max_examples=2, deadline=None, phases=(Phase.explicit, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries({n: _ANSWER for n in NAMES}), st.sampled_from([None, *NAMES]))
@example({"Ana": ("anonymous", 1, "burnt out", 5), "Ben": ("anonymous", 2, "too many meetings", 4),
          "Chen": ("private", 4, "the build is slow", None), "Dara": ("anonymous", 5, "", 2),
          "Emeka": ("anonymous", 3, "", None)}, "Ana")
@example({"Ana": ("absent", 1, "", None), "Ben": ("team", 2, "burnt out", 1),
          "Chen": ("anonymous", 4, "", 3), "Dara": ("anonymous", 5, "", 2),
          "Emeka": ("anonymous", 3, "too many meetings", 1)}, "Emeka")
def test_the_opened_totals_are_the_plain_totals_of_the_answers_given(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        answers: dict[str, tuple[str, int, str, int | None]], gone: str | None) -> None:
    """Whatever was given, and whichever machine never runs again, the totals open as the plain ones.

    Any mix of named, anonymous, private and absent members, with concerns
    and stress answers, and one machine (n − t = 1 of 5) that never runs
    after its check-in: every home that comes back opens exactly the plain
    totals of what was given, each figure under its own k rule.
    """
    from huddle_tui import support
    from huddle_tui.rules import measures as m

    distinct_slots(monkeypatch)
    homes = Homes(tmp_path_factory.mktemp("day"), monkeypatch)
    homes.keys_ahead()
    for name, (visibility, mood, words, stress) in answers.items():
        if visibility == "absent":
            continue
        if stress is not None:
            support.save_answer(homes.journal(name, DAY), name, m.Answer(m.SISQ, DAY, (stress,)))
        concerns = (Concern.new(words, "concern", "anonymous"),) if words else ()
        homes.check_in(name, visibility, mood, concerns=concerns)
    back = [n for n in NAMES if n != gone]
    homes.morning_after(names=back)
    expected = plain_totals(answers)
    for name in back[:2]:
        totals = homes.totals(name)
        assert {k: totals[k] for k in expected} == expected
