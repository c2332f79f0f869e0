"""A demo team with years of synthetic but realistic history, for trying and benchmarking.

Moods drift week by week around each person's baseline, with team-wide crunch
periods; people skip days, take holidays (recorded as `huddle away` records
them), join part-way, raise concerns and blockers with follow-ups, and now
and then hand the facilitator role over. The team runs in the recommended
anonymous mode (`[privacy] mood = "anonymous"`): most answers are anonymous
behind their members' signed placeholders, released only on days with at
least K of them, as a machine would; a few people answer by name. Members
see a signpost after a low streak or a request for support (its anonymous
mark counted where K members checked in), and meet their weekly buddies.
The same seed gives the same folder.

The history is signed as a team's is (storage/signature.py): each synthetic
member has a key derived from the seed, published as a `key` record dated
the history's first day, and signs their own records; the facilitator signs
the day's huddle and handoff; an anonymous answer is signed by a one-time key
its id is bound to. So any reader sees all of it as its members' own. The
person running the demo becomes one of its members on their machine: their
own key is linked as that member's in the history, and this machine's
keyring for the folder pins every demo key and names that member as `me`;
that member answered by name in the history, so `huddle me` shows their
moods (this machine's anonymity secret is never used for synthetic answers:
their ids would be those of the person's real anonymous answers on the
same dates); and a user config for that member goes in the demo's own
folder (paths.demo_user_config_file), never the person's own.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from huddle_tui import paths
from huddle_tui.config.team import (
    AwayRange,
    Member,
    SupportResource,
    TeamConfig,
    team_config_to_toml,
    write_toml,
)
from huddle_tui.config.user import UserConfig, user_config_to_toml
from huddle_tui.journal import away_record
from huddle_tui.model.checkin import CheckIn, Concern, FollowUp
from huddle_tui.model.huddle import Away, Handoff, Huddle, Turn
from huddle_tui.model.ids import as_uuid, named_id
from huddle_tui.model.pairs import PairMark, PairRound, PastRound
from huddle_tui.model.teamday import team_today
from huddle_tui.pairs import HISTORY_WEEKS, mark_id, taking_part, utc_offset
from huddle_tui.rules.pair_figures import round_id
from huddle_tui.rules.pairing import Candidate, choose, round_monday
from huddle_tui.rules.privacy import K
from huddle_tui.rules.rotation import Held, plan_for, still_counted
from huddle_tui.rules.support import SIGNPOST_KIND
from huddle_tui.storage.batch import HistoryWriter, remove_unfinished
from huddle_tui.storage.signature import SigningKey, anonymous_key, id_for_key

NAMES = ["Ana", "Ben", "Chen", "Dara", "Emeka", "Fatima", "Gus", "Hana", "Ilya", "Jo",
         "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tariq",
         "Uma", "Viktor", "Wen", "Yusuf"]
ZONES = ["Europe/Lisbon", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Africa/Lagos"]
STATUSES = ["finishing the release notes", "pairing on the flaky test", "reviewing PRs",
            "on call, quiet night", "migrating the billing job", "writing the design doc",
            "fixing the login bug", "onboarding the new hire", "planning next sprint",
            "deep in the search rewrite", "catching up after leave", "chasing a memory leak"]
CONCERNS = [("blocker", "waiting on access to the staging database"),
            ("blocker", "CI is red on main and nobody owns it"),
            ("concern", "too many meetings this week to get real work done"),
            ("concern", "the deadline feels unrealistic"),
            ("support", "could use a second pair of eyes on the migration"),
            ("support", "would like to talk through the on-call load"),
            ("concern", "unclear priorities between the two projects")]
AWAY_REASONS = ("holiday", "conference", "family visit", "moving house")
INTERESTS = ("climbing", "board games", "cooking", "running", "photography", "jazz", "gardening")
SUPPORT = SupportResource("Employee Assistance Programme", "0800 000 000 (free, confidential, 24/7)", "eap")
# How often one who leans to --named, and one who keeps the team's anonymous default, answers anonymously.
NAMED_SHARE, ANONYMOUS_SHARE = 0.1, 0.85
BUDDY_MEMBERS = 12  # the first this many opt in to buddies: a round's choice grows with the people in it
BUDDY_WEEKS = 12  # the team took up buddies this many weeks ago
Progress = Callable[[int, int], None]
KEY_LABEL = "demo"  # the label of each synthetic member's published key


class You(NamedTuple):
    """The person running the demo: the member they would be, and their own machine's key.

    `wanted` is their user config's `me`: when the demo's roster has that
    name they are that member, otherwise its first. `data_dir` holds their
    keyring (None: the user data folder).
    """

    wanted: str | None
    key: SigningKey
    data_dir: Path | None = None


class Signers:
    """Each synthetic member's signing key and anonymity secret, derived from the demo's seed.

    A demo is synthetic, so its keys may be as reproducible as its moods:
    the same seed gives the same keys, the same signatures and the same files.
    """

    def __init__(self, team: TeamConfig, seed: int) -> None:
        """Derive every member's key and secret (one Ed25519 key pair each)."""
        self.keys: dict[str, SigningKey] = {}
        self._secrets: dict[str, bytes] = {}
        for m in team.members:
            self.keys[m.name] = SigningKey(_derived(f"huddle demo key\x1f{seed}\x1f{m.name}"))
            self._secrets[m.name] = _derived(f"huddle demo anonymity\x1f{seed}\x1f{m.name}")

    def anonymous(self, member: str, iso: str) -> tuple[str, SigningKey]:
        """The id and one-time key of a member's anonymous answer for a date.

        Derived as journal.py derives a released answer's (`_anonymous_id`,
        `_anonymous_signer`, `_released_id`), with the member's synthetic
        secret in place of a machine's: the id is bound to the key, so only
        its holder could ever write another version.
        """
        secret = self._secrets[member]
        private_id = as_uuid(hmac.new(secret, f"{member.casefold()}\x1f{iso}".encode(),
                                      hashlib.sha256).digest(), 4)
        key = anonymous_key(secret, f"checkin\x1f{private_id}")
        return id_for_key(key.public), key

    def mark(self, member: str, iso: str) -> tuple[str, SigningKey]:
        """The id and one-time key of the anonymous mark of a signpost shown to a member on a date.

        Derived as support.py and journal.py derive a released mark's
        (`_mark_id`, then `_anonymous_signer` and `_released_id`).
        """
        secret = self._secrets[member]
        private_id = as_uuid(hmac.new(secret, f"{member}\x1f{SIGNPOST_KIND}\x1f{iso}".encode(),
                                      hashlib.sha256).digest(), 4)
        key = anonymous_key(secret, f"{SIGNPOST_KIND}\x1f{private_id}")
        return id_for_key(key.public), key


def _derived(material: str) -> bytes:
    """32 bytes derived from some text: a synthetic member's key seed or anonymity secret."""
    return hashlib.sha256(material.encode()).digest()


def workdays(start: date, end: date) -> list[date]:
    """Monday-to-Friday dates from start to end inclusive."""
    out, day = [], start
    while day <= end:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def make_team(folder: Path, members: int, years: float, today: date, rng: random.Random) -> TeamConfig:
    """A roster with time zones, holidays and a few people who joined part-way; the first dozen pair up.

    The away ranges are the team's plans (recorded by `_away`, not written in
    huddle.toml); none covers this fortnight, so the demo's today has everyone.
    """
    start = today - timedelta(days=round(365 * years))
    now = today - timedelta(days=today.weekday())
    roster = []
    for i in range(members):
        joined = None
        if i >= 3 and rng.random() < 0.3:
            joined = start + timedelta(days=rng.randrange(30, max(31, (today - start).days - 20)))
        away = []
        year = start
        while year < today + timedelta(days=60):
            first = year + timedelta(days=rng.randrange(20, 340))
            span = AwayRange(first, first + timedelta(days=rng.choice((4, 6, 11, 13))))
            if span.start <= now + timedelta(days=13) and span.end >= now:
                span = AwayRange(now + timedelta(days=21), now + timedelta(days=21) + (span.end - span.start))
            away.append(span)
            year += timedelta(days=365)
        roster.append(Member(NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else str(i // len(NAMES))),
                             handle=NAMES[i % len(NAMES)].lower() + (str(i) if i >= len(NAMES) else ""),
                             timezone=ZONES[i % len(ZONES)], joined=joined, away=tuple(away),
                             pairs=i < BUDDY_MEMBERS, interests=tuple(sorted(rng.sample(INTERESTS, 2)))))
    return TeamConfig(name="Demo team", members=tuple(roster), shared_dir=folder.resolve(),
                      path=(folder / paths.TEAM_CONFIG_NAME).resolve(), mood_privacy="anonymous",
                      support=(SUPPORT,))


def generate(folder: Path, members: int = 8, years: float = 1.0, seed: int = 7,
             today: date | None = None, progress: Progress | None = None,
             you: You | None = None) -> TeamConfig:
    """Write a demo team's huddle.toml and its signed history into `folder`, and return the team.

    With `you`, the person running it becomes one of its members on this
    machine (see `You` and `_adopt`), with a user config for that member
    in the demo's folder (`write_user_config`).
    """
    rng = random.Random(seed)
    today = today or team_today(None)  # the demo team names no zone: this machine's date
    planned = make_team(folder, members, years, today, rng)  # with the away ranges `_away` records
    team = planned._replace(members=tuple(m._replace(away=()) for m in planned.members))
    member = _runner(team, you)
    signers = Signers(team, seed)
    remove_unfinished(folder)  # what a crashed run left
    start = today - timedelta(days=round(365 * years))
    clock = [datetime(start.year, start.month, start.day, 8, 0, tzinfo=UTC)]
    with HistoryWriter(folder, now=lambda: clock[0]) as store:
        _keys(store, team, signers, start, you, member)
        _away(store, planned, signers, rng)
        _history(store, planned, signers, years, today, rng, clock, progress, member)
        if you is not None and member is not None:
            _adopt(team, signers, you, member)
            write_user_config(folder, member)
        # The config goes in just before the history appears whole: a crash between the two
        # leaves a team with no history, which `huddle demo` makes again, never half a history.
        write_toml(folder / paths.TEAM_CONFIG_NAME, team_config_to_toml(team))
    return team


def _runner(team: TeamConfig, you: You | None) -> str | None:
    """The member the person running the demo is: their `me` when the roster has it, else its first."""
    if you is None or not team.members:
        return None
    found = team.member(you.wanted) if you.wanted else None
    return (found or team.members[0]).name


def write_user_config(folder: Path, member: str) -> None:
    """A user config for the member the runner is, in the demo's own folder (never the person's own).

    Plain `huddle` uses it while the person has no user config of their own
    (config/user.py, demo_stand_in); `HUDDLE_CONFIG_DIR=FOLDER/user` points
    any command at it for a demo made elsewhere.
    """
    user = UserConfig(me=member, shared=folder.resolve(),
                      support=(SupportResource("Your GP", "book through the surgery's app", "other"),))
    write_toml(paths.demo_user_config_file(folder), user_config_to_toml(user), private=True)


def _keys(store: HistoryWriter, team: TeamConfig, signers: Signers, start: date,
          you: You | None, member: str | None) -> None:
    """Publish every member's key on the history's first day, and link `you`'s key as `member`'s.

    Each key record is signed by its own key (a first key, as `huddle init`
    publishes one); `you`'s is signed by the member's demo key (a second
    machine linked by the first, as `huddle keys link` does), so every
    reader trusts it as that member's with nothing to confirm.
    """
    iso = start.isoformat()
    for name, key in signers.keys.items():
        store.save("key", named_id("key", key.public), iso,
                   {"member": name, "key": key.public, "label": KEY_LABEL}, version=1, key=key)
    if you is None or member is None:
        return
    import socket

    demo_key = signers.keys[member]
    store.save("key", named_id("key", you.key.public, demo_key.public), iso,
               {"member": member, "key": you.key.public, "label": socket.gethostname()[:80]},
               version=1, key=demo_key)


def _away(store: HistoryWriter, team: TeamConfig, signers: Signers, rng: random.Random) -> None:
    """Each member's away ranges, recorded by that member as `huddle away` records them (away_record)."""
    for m in team.members:
        for span in m.away:
            away = Away(m.name, span.start.isoformat(), span.end.isoformat(), rng.choice(AWAY_REASONS))
            day, payload = away_record(team, away)
            store.save("away", named_id("away", m.name, day), day, payload, version=1,
                       key=signers.keys[m.name])


def _adopt(team: TeamConfig, signers: Signers, you: You, member: str) -> None:
    """Make this machine `member`'s in the demo: every demo key pinned, its own key too, `me` named.

    Pinned rather than trusted on first use: this machine made the keys, so
    there is nothing to compare, and its own key pinned as `member`'s would
    otherwise make `member`'s first demo key wait for confirmation.
    """
    from huddle_tui.storage.keyring import Keyring

    ring = Keyring.for_folder(team.shared_dir, you.data_dir)
    for name, key in signers.keys.items():
        ring.pin(name, key.public)
    ring.pin(member, you.key.public)
    if you.key.public not in ring.published:
        ring.published.append(you.key.public)
    ring.acknowledge(sorted(m.name.casefold() for m in team.members))
    ring.me = member
    ring.save()


class _Answer(NamedTuple):
    """One member's synthetic check-in for a day, before it is written."""

    member: str
    mood: int
    anonymous: bool


def _history(store: HistoryWriter, team: TeamConfig, signers: Signers, years: float, today: date,
             rng: random.Random, clock: list[datetime], progress: Progress | None,
             runner: str | None = None) -> None:
    """Every working day's check-ins, signposts and huddle, and each week's buddies, `years` back to today.

    The `runner`'s member answers by name: their moods are theirs to see in
    `huddle me` without any anonymity secret of a real machine.
    """
    days = workdays(today - timedelta(days=round(365 * years)), today)
    baseline = {m.name: rng.uniform(3.0, 4.2) for m in team.members}
    drift = dict.fromkeys(baseline, 0.0)
    # The team's recommended mode is anonymous; about one in four keeps choosing --named.
    share = {m.name: NAMED_SHARE if rng.random() < 0.25 else ANONYMOUS_SHARE for m in team.members}
    if runner is not None:
        share[runner] = 0.0
    recent: dict[str, list[int]] = {m.name: [] for m in team.members}
    signposted: dict[str, int] = {}  # member → the week a signpost was last shown to them
    buddies_from = round_monday(today - timedelta(weeks=BUDDY_WEEKS), team.pairs.cadence)
    huddles: list[Held] = []
    handoffs: list[Handoff] = []
    rounds: list[PastRound] = []
    for n, day in enumerate(days):
        iso = day.isoformat()
        week = day.toordinal() // 7
        wave = 0.5 * math.sin(week / 6.0) - (0.6 if week % 13 in (11, 12) else 0.0)
        is_today = day == today
        # Today's check-ins come before the huddle, so the lobby shows them as async; a past day's
        # were given in its round, which started at 09:00 (_save_huddle).
        clock[0] = datetime(day.year, day.month, day.day, 8, 45, tzinfo=UTC) if is_today else \
            datetime(day.year, day.month, day.day, 9, 0, 5, tzinfo=UTC)
        present = team.expected(day)
        monday = round_monday(day, team.pairs.cadence)
        if monday >= buddies_from and (not rounds or monday > rounds[-1].monday):
            _buddies(store, team, signers, rng, day, rounds)
        answers = []
        for i, m in enumerate(present):
            if is_today and i >= 2:
                break
            if day.weekday() == 0:
                drift[m.name] = 0.7 * drift[m.name] + rng.gauss(0, 0.35)
            if rng.random() < 0.08:
                continue
            mood = max(1, min(5, round(baseline[m.name] + drift[m.name] + wave + rng.gauss(0, 0.45))))
            # Today's are named: a demo anonymous answer has no machine that could change it later.
            answers.append(_Answer(m.name, mood, not is_today and rng.random() < share[m.name]))
        # An anonymous answer goes out only where K members left a placeholder that day; on other
        # days it would still be waiting on its author's machine, so only its placeholder is here.
        released = sum(a.anonymous for a in answers) >= K
        for a in answers:
            checkin = _save_checkin(store, signers, rng, a.member, iso, a.mood, team,
                                    anonymous=a.anonymous, released=released)
            recent[a.member] = [*recent[a.member][-2:], a.mood]
            asked = any(c.kind == "support" for c in checkin.concerns)
            low = len(recent[a.member]) == 3 and max(recent[a.member]) <= 2
            # A signpost after a request for support or a low streak, at most once a week each; its
            # anonymous mark goes out where K members checked in (mark_releasable), as ever.
            if len(answers) >= K and (asked or low) and signposted.get(a.member) != week:
                signposted[a.member] = week
                rid, key = signers.mark(a.member, iso)
                store.save(SIGNPOST_KIND, rid, iso, {}, anonymous=True, version=1, key=key)
            clock[0] += timedelta(seconds=rng.randrange(5, 90))
        if not is_today and present:
            _save_huddle(store, signers, rng, team, day, huddles, handoffs)
        if progress is not None:
            progress(n + 1, len(days))


def _buddies(store: HistoryWriter, team: TeamConfig, signers: Signers, rng: random.Random, day: date,
             rounds: list[PastRound]) -> None:
    """Close the last buddy round (each member says met, or now and then skip) and make the next one.

    The round is made as `huddle pairs make` (pairs.compute) makes it: the
    same people, the same earlier rounds, the same choice and salt.
    """
    if rounds:
        last = rounds[-1]
        said = {n.casefold(): ("met" if rng.random() < 0.85 else "skip") for g in last.groups for n in g
                if rng.random() < 0.9}
        for group in last.groups:
            for name in group:
                if name.casefold() in said:
                    week = last.monday.isoformat()
                    store.save("pairmark", mark_id(team, "buddy", last.monday, name), week,
                               PairMark("buddy", week, name, said[name.casefold()]).to_payload(),
                               version=1, key=signers.keys[name])
        rounds[-1] = last._replace(skipped=frozenset(k for k, v in said.items() if v == "skip"),
                                   met=frozenset(k for k, v in said.items() if v == "met"))
    monday = round_monday(day, team.pairs.cadence)
    people = [Candidate(m.name, frozenset(i.casefold() for i in m.interests), utc_offset(m.timezone, monday))
              for m in taking_part(team, monday)]
    since = monday - timedelta(weeks=HISTORY_WEEKS)
    grouping = choose(people, [r for r in rounds if r.monday >= since], monday,
                      cooldown_weeks=team.pairs.cooldown_weeks, group_size=team.pairs.group_size,
                      salt=f"{team.name.casefold()}\x1fbuddy\x1f{monday.isoformat()}")
    rounds.append(PastRound(monday, grouping.groups))
    if grouping.groups:
        found = PairRound("buddy", monday.isoformat(), grouping.groups, grouping.cooldown)
        store.save("pairs", round_id(team, "buddy", monday), monday.isoformat(), found.to_payload(),
                   anonymous=True, version=1, key=signers.keys[grouping.groups[0][0]])


def _save_checkin(store: HistoryWriter, signers: Signers, rng: random.Random, member: str, iso: str,
                  mood: int, team: TeamConfig, *, anonymous: bool, released: bool) -> CheckIn:
    """One synthetic check-in signed by its member, sometimes with a concern; returns it.

    An anonymous one is a named placeholder signed by its member and, when
    `released`, the answer itself, with no author and an id nothing links to
    the member, signed by its one-time key.
    """
    concerns: list[Concern] = []
    if rng.random() < 0.12 or (mood <= 2 and rng.random() < 0.5):
        kind, text = rng.choice(CONCERNS)
        owner = rng.choice(team.members).name if rng.random() < 0.4 else None
        concerns.append(Concern.new(text, kind, "team",
                                FollowUp(owner, rng.choice(("open", "done"))) if owner else None))
    checkin = CheckIn(date=iso, mood=mood, member=member, status=rng.choice(STATUSES),
                      concerns=tuple(concerns), visibility="anonymous" if anonymous else "team",
                      source="demo")
    named = checkin.placeholder() if anonymous else checkin
    # Every demo record is written once: version 1, without listing a month folder per file.
    store.save("checkin", named_id("checkin", member, iso), iso, named.to_payload(), version=1,
               key=signers.keys[member])
    if anonymous and released:
        rid, key = signers.anonymous(member, iso)
        store.save("checkin", rid, iso, checkin.to_payload(), anonymous=True, version=1, key=key)
    return checkin


def _save_huddle(store: HistoryWriter, signers: Signers, rng: random.Random, team: TeamConfig, day: date,
                 huddles: list[Held], handoffs: list[Handoff]) -> None:
    """One held huddle, following the rotation (and now and then a handoff), signed by its facilitator."""
    iso = day.isoformat()
    huddles[:] = still_counted(team, day, huddles)  # a day's plan costs the team, not the history
    plan = plan_for(team, day, huddles, handoffs)
    if plan.facilitator is None:
        return
    if rng.random() < 0.04 and len(plan.order) > 2:
        other = rng.choice([n for n in plan.order if n != plan.facilitator])
        handoff = Handoff(iso, plan.facilitator, other, rng.choice(
            ("on a customer call", "feeling under the weather", "wants to practise facilitating")))
        handoffs.append(handoff)
        store.save("handoff", named_id("handoff", team.name, iso), iso, handoff.to_payload(), version=1,
                   key=signers.keys[plan.facilitator])
        plan = plan_for(team, day, huddles, handoffs)
    left = team.round_seconds
    turns = []
    for i, speaker in enumerate(plan.order):
        box = left / (len(plan.order) - i)
        skipped = rng.random() < 0.03
        spoken = 0.0 if skipped else max(10.0, rng.gauss(box * 0.9, box * 0.25))
        turns.append(Turn(speaker, box, round(spoken, 1), skipped))
        left = max(0.0, left - spoken)
    huddle = Huddle(iso, plan.facilitator or "", plan.order, tuple(turns), team.round_seconds,
                    f"{iso}T09:00:00Z", f"{iso}T09:0{min(9, int(sum(t.spoken_s for t in turns) // 60))}:00Z")
    huddles.append(Held(iso, huddle.facilitator, huddle.order))
    store.save("huddle", named_id("huddle", team.name, iso), iso, huddle.to_payload(), version=1,
               key=signers.keys[huddle.facilitator])
