"""A team's records as the app and the commands use them: save, read, plan, summarise.

Every record goes through one save path (`Journal._share`): the file is made
durable in the shared folder, and only then is the saved record handed to the
replicator (the HTTP outbox), which also posts the chat summary once a huddle
has ended — built from the folder after that last write.

A member has one check-in per date, whatever its visibility:

- **team**: the named record holds the answer;
- **anonymous**: the named record is a *placeholder* ("withheld": who checked
  in, nothing of what they said) and the answer is a separate record with an
  unlinkable id and no author;
- **private**: the same placeholder, and the answer stays in this machine's
  private folder.

Changing visibility retracts what was shared before (the named record becomes
a placeholder, an anonymous answer gets a tombstone), always after the new
answer is written: a crash in between never loses it. An answer kept
anonymously or privately can only be changed on the machine that holds it:
anywhere else the placeholder says "already checked in", and nothing doubles.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from huddle_tui import paths
from huddle_tui.config.team import AwayRange, Member, TeamConfig
from huddle_tui.errors import RefusedError, UsageError
from huddle_tui.model.checkin import WITHHELD, Change, CheckIn, Concern, as_visibility
from huddle_tui.model.ids import as_uuid, named_id, random_id
from huddle_tui.storage import derived
from huddle_tui.storage.derived import PLAN, TODAY
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.folder import FolderStore, History, Judge, utc_now

if TYPE_CHECKING:
    from huddle_tui.aggregation.contribution import Contribution
    from huddle_tui.model.huddle import Away, Handoff, Huddle, Plan, Today
    from huddle_tui.rules.authorship import Authorship
    from huddle_tui.rules.measures import Answer as MeasureAnswer
    from huddle_tui.rules.report import Data as ReportData
    from huddle_tui.rules.summary import Summary
    from huddle_tui.storage.keyring import Keyring
    from huddle_tui.storage.signature import SigningKey
    from huddle_tui.sync.replicate import Replicator
    from huddle_tui.totals.dayview import DayView as TotalsView
    from huddle_tui.totals.steps import Steps as TotalsSteps
    from huddle_tui.totals.takeaways import Mine as MyTakeaways

RECENT_DAYS = 60
FIRST_DATE = date(1970, 1, 1)
LAST_DATE = date(9998, 12, 31)
DAY_KINDS = ("checkin", "concern", "huddle", "handoff")
COUNTED_KINDS = ("signpost", "measure")
"""Anonymous marks (a signpost shown, a measure answered): released by rules.privacy.mark_releasable."""
_T = TypeVar("_T")


class Saved(NamedTuple):
    """What one check-in became on disk, and what it took back from the team's view."""

    checkin: CheckIn
    shared: tuple[Record, ...]
    private: tuple[Record, ...]
    retracted: tuple[str, ...] = ()
    held_back: bool = False
    in_totals: str = ""
    """In a team whose anonymous answers go to its totals: "" (not part of them), "given" (in the day's
    totals, changeable until the day's cut-off) or "kept" (the day opened: it stays in the totals)."""
    withdrawn: tuple[Concern, ...] = ()
    """Anonymous concerns given beside a named or private check-in that this save took out of the day's
    totals (before its cut-off: nobody saw them)."""

    @property
    def all(self) -> list[Record]:
        """Every record written."""
        return [*self.shared, *self.private]

    @property
    def answer(self) -> Record:
        """The record holding the answer itself (anonymous, private or named)."""
        if self.private:
            return self.private[0]
        return next((r for r in self.shared if r.payload.get("visibility") == "anonymous"),
                    self.shared[0])


class Current(NamedTuple):
    """A member's check-in for a date as this machine can see it, with where its answer lives."""

    named: Record | None
    anonymous: Record | None
    private: Record | None
    released: Record | None = None

    @property
    def checkin(self) -> CheckIn | None:
        """The full answer when this machine holds it, else the named record (maybe a placeholder)."""
        for record in (self.named, self.anonymous, self.private):
            if record is not None and record.payload.get("visibility") != WITHHELD:
                payload = record.payload
                # Held back here, or given to the team's totals: the private store marks it private.
                if record is self.anonymous or (record is self.private and payload.get("in_totals")):
                    payload = {**payload, "visibility": "anonymous"}
                checkin = CheckIn.from_payload(record.date, payload)
                if self.named is not None and checkin.member is None:
                    checkin = checkin._replace(member=self.named.payload.get("member"))
                return checkin
        return CheckIn.from_payload(self.named.date, self.named.payload) if self.named else None

    @property
    def held_elsewhere(self) -> bool:
        """A placeholder whose answer is on another machine: only that machine may change it."""
        return (self.named is not None and self.named.payload.get("visibility") == WITHHELD
                and self.anonymous is None and self.private is None)


class Journal:
    """The records of one team: its shared folder plus this machine's private folder."""

    def __init__(self, team: TeamConfig, *, now: Callable[[], datetime] = utc_now,
                 private_root: Path | None = None, index: bool = True,
                 durable: bool = True, replicator: Replicator | None = None,
                 me: str | None = None, data_dir: Path | None = None) -> None:
        """Open the team's stores; `now` is the injectable clock for timestamps.

        `me` is the member at this machine: with one, every record written is
        signed by this machine's key (published as theirs on first use), and
        every read is judged by the keys this machine trusts (rules/authorship.py).
        """
        self.team = team
        self.now = now
        self.shared = FolderStore(team.shared_dir, now=now, durable=durable,
                                  index_dir=paths.index_dir() if index else None)
        self.private = FolderStore(private_root or paths.private_dir(), now=now, durable=durable,
                                   private=True)
        self.replicator = replicator
        self._given: set[str] = set()  # anonymous answers given in this session: released in a later one
        member = team.member(me) if me else None
        self.me = member.name if member is not None else None
        self._data_dir = data_dir
        self._key: SigningKey | None = None
        self._trust: tuple[Any, Authorship | None] | None = None  # (key folders' stamps, authorship)
        self._roster: tuple[Any, Authorship | None, TeamConfig] | None = None  # roster(): stamps, trust, team
        self._settled_at: float | None = None  # when settle_totals last ran (time.monotonic)
        self.shared.authorship = self._judge

    def date_now(self) -> date:
        """The team's date by this journal's clock: what records written now are dated (config/team.today)."""
        return self.team.today(self.now())

    # ------------------------------------------------------------ who wrote what

    def signing_key(self) -> SigningKey | None:
        """This machine's signing key when it has a member to sign for, published on first use."""
        if self.me is None:
            return None
        if self._key is None:
            from huddle_tui.storage.localkey import signing_key_path
            from huddle_tui.storage.signature import load_machine_key

            self._key = load_machine_key(signing_key_path(self._data_dir))
            self._publish(self._key)
        return self._key

    def agreement_secret(self) -> bytes | None:
        """This machine's X25519 secret for opening what was sealed to `me` (None: no key here yet).

        A read: unlike signing_key() it neither makes nor publishes a key, so
        reading sealed notes leaves the shared folder as it was.
        """
        if self.me is None:
            return None
        if self._key is None:
            from huddle_tui.storage.localkey import signing_key_path

            path = signing_key_path(self._data_dir)
            if not path.exists():
                return None
            from huddle_tui.storage.signature import load_machine_key

            self._key = load_machine_key(path)
        return self._key.agreement_secret()

    def keyring(self) -> Keyring:
        """The keys this machine trusts for this team's members (its own file, never synced)."""
        from huddle_tui.storage.keyring import Keyring

        return Keyring.for_folder(self.team.shared_dir, self._data_dir)

    def _publish(self, key: SigningKey) -> None:
        """Put this machine's key in the shared folder as `me`'s, once (signed by itself)."""
        assert self.me is not None
        ring = self.keyring()
        changed = ring.pin(self.me, key.public)
        if key.public not in ring.published:
            import socket

            from huddle_tui.model.ids import named_id

            day = self.date_now().isoformat()
            record, data = self.shared.prepare("key", named_id("key", key.public), day,
                                               {"member": self.me, "key": key.public,
                                                "label": socket.gethostname()[:80]}, key=key, version=1)
            if not self.shared.target(record).exists():
                self._write_shared(record, data)
            ring.published.append(key.public)
            changed = True
        if changed:
            ring.save()
            self._trust = None

    def link_key(self, public: str, label: str = "") -> Record:
        """Vouch, with this machine's key, for another machine of `me` (its key then needs no confirming)."""
        key = self.signing_key()
        if key is None or self.me is None:
            raise UsageError("set `me` first (huddle init --me NAME): a key is linked as someone's")
        from huddle_tui.model.ids import named_id
        from huddle_tui.storage.signature import is_public_key

        if not is_public_key(public):
            raise UsageError("not a key: expected 43 base64url characters "
                             "(`huddle keys` on that machine shows it)")
        record, data = self.shared.prepare("key", named_id("key", public, key.public),
                                           self.date_now().isoformat(),
                                           {"member": self.me, "key": public, "label": label[:80]},
                                           key=key, version=1)
        self._write_shared(record, data)
        self._trust = None
        return record

    def authorship(self) -> Authorship | None:
        """Who may speak for whom, as this machine trusts it now (None: nobody has a key yet)."""
        from huddle_tui.storage.keyring import keyring_path
        from huddle_tui.storage.stamps import RECORDS, dir_stamp

        folder = self.team.shared_dir / RECORDS / "key"
        # The key folders, and this machine's keyring (a key confirmed in another terminal counts now).
        try:
            ring_stat = os.stat(keyring_path(self.team.shared_dir, self._data_dir))
            ring_stamp: tuple[int, int] | None = (ring_stat.st_mtime_ns, ring_stat.st_ino)
        except OSError:
            ring_stamp = None
        stamp: list[Any] = [dir_stamp(str(folder)), ring_stamp]
        try:
            stamp += [(e.name, dir_stamp(e.path)) for e in sorted(os.scandir(folder), key=lambda e: e.name)]
        except OSError:
            pass
        if self._trust is not None and self._trust[0] == stamp:
            return self._trust[1]
        from huddle_tui.rules.authorship import Authorship, claims_of

        claims = claims_of(self.shared.read(("key",)).live("key"))
        ring = self.keyring()
        own = None
        if self._key is not None and self.me is not None:
            own = (self.me.casefold(), self._key.public)
        if not claims and own is None and not ring.pinned:
            self._trust = (stamp, None)
            return None
        team = self.team
        roster = {m.name.casefold(): m.name for m in team.members}
        found = Authorship(roster, claims, ring.pinned, ring.acknowledged, own)
        changed = False
        for member, key in found.new_pins.items():  # trust on first use: pinned here from now on
            changed |= ring.pin(member, key)
        if ring.acknowledged is None:
            changed |= ring.acknowledge(sorted(roster))
        if changed:
            try:
                ring.save()
            except OSError:
                pass  # pinned again next time; nothing is trusted that would not be then
        self._trust = (stamp, found)
        return found

    def _judge(self) -> tuple[Judge, str] | None:
        """The judge the shared folder's reads go through, and its tag (None: nothing to judge)."""
        found = self.authorship()
        return None if found is None else (found.judge, found.tag)

    def _write_shared(self, record: Record, data: bytes, *, anonymous: bool = False) -> None:
        """Put a prepared record in the shared folder and hand it to the replicator once durable."""
        target = self.shared.target(record)
        if self.replicator is not None:
            self.replicator.intend(target)
        self.shared.write(record, data, anonymous=anonymous)
        if self.replicator is not None:
            self.replicator.saved(record, target)

    # ------------------------------------------------------------ the one save path

    def _share(self, kind: str, record_id: str, day: str, payload: dict[str, Any], *,
               anonymous: bool = False, deleted: bool = False, version: int | None = None,
               key: SigningKey | None = None, signed: bool = True) -> Record:
        """Save a record to the shared folder, then hand the durable record to the replicator.

        The replicator notes the file before it is written and queues it only
        once it is durable, so a crash in between is settled from the folder
        the next time it runs (see sync/replicate.py): the outbox holds
        exactly what the folder holds. Every record is signed: by `key` (an
        anonymous record's one-time key) or by this machine's key.
        """
        if key is None and signed:
            key = self.signing_key()
        member = payload.get("member")
        if key is not None and self.me is not None and member.__class__ is str \
                and member.casefold() != self.me.casefold() and not deleted:
            payload = {**payload, "keyed_by": self.me}  # entered for someone else: it says who by
        record, data = self.shared.prepare(kind, record_id, day, payload, anonymous=anonymous,
                                           deleted=deleted, version=version, key=key)
        if key is None and signed and member.__class__ is str:
            self._refuse_unsigned(member, day)
        self._write_shared(record, data, anonymous=anonymous)
        if self.replicator is not None and kind == "huddle" and payload.get("ended_at") and not deleted:
            self.replicator.huddle_ended(self.summary(date.fromisoformat(day)), record)
        return record

    def _refuse_unsigned(self, member: str, day: str) -> None:
        """Refuse to write an unsigned record in `member`'s name that every teammate would set aside.

        This machine signs only once it knows which member it is (`me`). In a
        team whose members already have keys, an unsigned record dated after
        them is never shown or counted by anyone, so "saved" would be a
        promise nobody keeps: say so, and how to fix it, before anything is written.
        """
        trust = self.authorship()
        reason = None if trust is None else trust.unsigned_reason(member, day)
        if reason is not None:
            raise RefusedError(f"not saved: teammates would set it aside ({reason}); this machine "
                               "signs nothing until it knows who you are: `huddle init --shared DIR "
                               "--me NAME`")

    def save_record(self, kind: str, record_id: str, day: str, payload: dict[str, Any], *,
                    dated_only: bool = False, version: int | None = None) -> Record:
        """Save a record other modules shape (a buddy round), through the one save path.

        `dated_only` stamps it with its date alone and a given `version` skips
        the listing for the next one, so two machines saving the same content
        at once write the same bytes under the same name.
        """
        return self._share(kind, record_id, day, payload, anonymous=dated_only, version=version)

    # ------------------------------------------------------------ check-ins

    def current(self, member: str, day: str) -> Current:
        """A member's check-in for `day`: the named record, and this machine's own answer if any."""
        name = self._member(member).name
        rid = named_id("checkin", name, day)
        anon = self._anonymous_id(name, day)
        out = self._released_id("checkin", anon)
        # Only these records' files: a save costs the same with years of history as with none.
        shared = self.shared.read_ids("checkin", day, (rid, anon, out)).records
        private = self.private.read_ids("checkin", day, (rid, anon)).records
        released = _live(shared.get(out)) or _live(shared.get(anon))  # signed, or from before keys
        return Current(_live(shared.get(rid)), _live(private.get(anon)) or released,
                       _live(private.get(rid)), released)

    def save_checkin(self, checkin: CheckIn, *, signposted: bool = False,
                     withdraw: tuple[Concern, ...] = ()) -> Saved:
        """Save a member's check-in for a date: a new version of theirs, whatever its visibility.

        `signposted`: a signpost is shown with this check-in (its mark rides in
        the day's contribution, in a team whose anonymous answers go to totals).
        `withdraw`: anonymous concerns given to the day's totals beside a named
        or private check-in (`given_to_totals`) that this version takes back;
        refused once the day's cut-off passed.
        """
        if checkin.mood is None or not 1 <= checkin.mood <= 5:
            raise UsageError(f"mood must be 1 to 5, got {checkin.mood}")
        if checkin.member is None:
            raise UsageError("a check-in needs the member it is for")
        day = self._working_day(checkin.date, checkin.member)
        member = self._member(checkin.member).name
        checkin = checkin._replace(member=member)
        now = self.current(member, day.isoformat())
        self._check_proxy(member, now, checkin.visibility)
        if now.held_elsewhere:
            raise RefusedError(f"{member} already checked in for {day} on another machine, "
                               "anonymously or privately; only that machine can change it")
        if self.me is None:  # before anything is written, here or held on this machine
            self._refuse_unsigned(member, day.isoformat())
        return self._write_checkin(checkin, now, signposted, withdraw)

    def change_checkin(self, member: str, day: str, change: Change, source: str,
                       mood_field: str = "mood", *,
                       signposted: bool = False) -> tuple[Saved, tuple[str, ...]]:
        """A new version of `member`'s check-in for `day` changing only what `change` names; what it kept.

        `huddle checkin` and a bot's line say only what they change: the rest
        of the day's earlier version (its status, its concerns, how it was
        shared) stays. The checks are save_checkin's: a check-in entered for
        someone who checked in themselves is refused, as is one held elsewhere.
        A first check-in needs a mood: the refusal names it as `mood_field`.

        Anonymous concerns given to the day's totals beside a named or private
        check-in are among the day's concerns too: a kind the change names
        replaces them (they leave the totals, before the cut-off), a kind it
        does not name keeps them there.
        """
        name = self._member(member).name
        now = self.current(name, day)
        if now.held_elsewhere:
            raise RefusedError(f"{name} already checked in for {day} on another machine, "
                               "anonymously or privately; only that machine can change it")
        checkin, kept = change.applied(now.checkin, day, name, self.team.default_visibility(), source)
        if checkin.mood is None:
            raise UsageError(f"{mood_field} is required for the day's first check-in "
                             "(1 struggling … 5 great)")
        replaced = {kind for kind, _ in change.items}
        given = self.given_to_totals(name, day)
        withdraw = tuple(c for c in given if c.kind in replaced)
        stays = len(given) - len(withdraw)
        if stays:
            kept = (*kept, f"{stays} anonymous {'concern' if stays == 1 else 'concerns'} in the day's totals")
        return self.save_checkin(checkin, signposted=signposted, withdraw=withdraw), kept

    def amend_checkin(self, member: str, day: str, *, mood: int | None = None,
                      status: str | None = None, source: str = "tui") -> Saved:
        """Change only what is given (the mood, the status) of a member's check-in, keeping the rest.

        With no check-in yet, this starts one with the team's default
        visibility. An answer held on another machine is never overwritten.
        """
        now = self.current(member, day)
        if now.held_elsewhere or self._theirs(member, now):
            raise RefusedError(f"{self._member(member).name} checked in from their own terminal; "
                               "their answer stays as they gave it")
        existing = now.checkin
        if existing is None:
            if mood is None:
                raise UsageError("a check-in needs a mood (1-5) first")
            fresh = CheckIn(day, mood, member, status or "", (), self.team.default_visibility(), source)
            return self.save_checkin(fresh)
        changed = existing._replace(mood=mood if mood is not None else existing.mood,
                                    status=status if status is not None else existing.status)
        if changed.mood is None or not 1 <= changed.mood <= 5:
            raise UsageError(f"mood must be 1 to 5, got {changed.mood}")
        self._working_day(day, member)
        return self._write_checkin(changed._replace(member=self._member(member).name), now)

    def _write_checkin(self, checkin: CheckIn, now: Current, signposted: bool = False,
                       withdraw: tuple[Concern, ...] = ()) -> Saved:
        """Write the answer where its visibility says, and take back what it replaces."""
        member, day = checkin.member or "", checkin.date
        own = tuple(c for c in checkin.concerns if c.visibility == checkin.visibility)
        answer = checkin._replace(concerns=own)
        named_rid = named_id("checkin", member, day)
        shared: list[Record] = []
        private: list[Record] = []
        retracted: list[str] = []
        held_back = False
        visibility = as_visibility(checkin.visibility)
        was_named = (now.named is not None and now.named.payload.get("visibility") != WITHHELD)
        in_totals = self.team.in_totals
        totals, withdrawn = self._contribute(checkin, now, signposted, withdraw) if in_totals else ("", ())
        if visibility == "team":
            shared.append(self._share("checkin", named_rid, day, answer.to_payload()))
        else:
            # The answer first, then the placeholder: a crash in between leaves the old named
            # answer beside the new one (the same save again settles it), never a placeholder
            # whose answer is nowhere, which no machine could change any more.
            if visibility == "anonymous" and in_totals:
                # The answer went out only inside the day's masked contribution; this machine keeps it
                # so that its member sees it and can change it until the day's cut-off.
                kept = {**answer.to_payload(), "member": member, "in_totals": True}
                private.append(self.private.save("checkin", named_rid, day, kept))
            elif visibility == "anonymous":
                # The answer waits here, on its author's machine, and goes to the shared folder in a
                # later session once at least K members could have given it: never beside the
                # placeholder written now, where its file's time would point at its author.
                anon_rid = self._anonymous_id(member, day)
                private.append(self.private.save("checkin", anon_rid, day,
                                                 {**answer.to_payload(), "member": member,
                                                  "pending": True}))
                self._given.add(anon_rid)
                held_back = True
            else:
                private.append(self.private.save("checkin", named_rid, day,
                                                 {**answer.to_payload(), "member": member}))
            if now.named is None or was_named:
                shared.append(self._share("checkin", named_rid, day, answer.placeholder().to_payload()))
                if was_named:
                    retracted.append("the check-in you shared by name")
        if visibility != "anonymous" and now.anonymous is not None:
            if now.anonymous.payload.get("pending"):
                self.private.save("checkin", now.anonymous.id, day, {"visibility": "private"}, deleted=True)
            if now.released is not None:
                anon = self._anonymous_id(member, day)
                key = self._anonymous_signer("checkin", anon)
                if key is not None and now.released.id != self._released_id("checkin", anon):
                    key = None  # released before keys existed: its tombstone is as unsigned as it was
                self._share("checkin", now.released.id, day, {}, anonymous=True, deleted=True, key=key,
                            signed=key is not None)
                retracted.append("your anonymous answer")
        kept_here = in_totals and visibility == "anonymous"
        if visibility != "private" and now.private is not None and not kept_here:
            self.private.save("checkin", now.private.id, day, {"visibility": "private"}, deleted=True)
        for concern in checkin.concerns:
            if in_totals and concern.visibility == "anonymous" and visibility != "anonymous":
                # It went out inside the contribution; kept here so the day's next one carries it too.
                private.append(self._keep_for_totals(concern, day, member))
            elif concern.visibility != checkin.visibility:
                saved_to = self.save_concern(concern, day, member)
                (shared if concern.visibility == "team" else private).append(saved_to)
        return Saved(answer, tuple(shared), tuple(private), tuple(retracted), held_back, totals, withdrawn)

    # ------------------------------------------------------------ anonymous totals (docs/aggregation.md)

    def totals_steps(self) -> TotalsSteps | None:
        """This machine's part in the team's anonymous totals (None: not in that mode, or nobody to sign)."""
        if not self.team.in_totals or self.me is None or self.signing_key() is None:
            return None
        from huddle_tui.totals.steps import Steps

        def publish(kind: str, record_id: str, day: str, payload: dict[str, Any]) -> Record:
            """Through the one save path, signed by this machine's key."""
            return self._share(kind, record_id, day, payload)

        return Steps(self.team, self.me, self.shared, self.private, self._totals_trust(), publish,
                     lambda member, day: self.roster().expects(member, day), self._placeholders,
                     self._data_dir)

    def _totals_trust(self) -> Callable[[Record], str | None]:
        """Which member an aggregation record speaks for, by the keys this machine trusts."""
        from huddle_tui.totals.records import trusted_by

        found = self.authorship()
        return trusted_by(self.team, found.member_of if found is not None else lambda key: None)

    def _placeholders(self, day: date) -> frozenset[str]:
        """Who left a placeholder signed by themselves that day: who could have answered anonymously."""
        from huddle_tui.rules.privacy import placeholder_members

        iso = day.isoformat()
        history = self.shared.read(("checkin",), since=iso, until=iso)
        return placeholder_members(self.roster(), day, self.checkins(history))

    def _contribute(self, checkin: CheckIn, now: Current, signposted: bool = False,
                    withdraw: tuple[Concern, ...] = ()) -> tuple[str, tuple[Concern, ...]]:
        """Write the member's one contribution for the check-in's day: what of it is anonymous.

        That is the mood when the check-in is anonymous, its anonymous
        concerns (and those given earlier that day, but for `withdraw`), the
        day's measure answers and signpost mark (totals/answer.py), and one
        anonymous takeaway waiting on this machine (totals/takeaways.py);
        zeros where there are none. Every check-in at one's own machine
        writes exactly one, of one size, before its named record or
        placeholder: files, sizes and order then say only who checked in.
        After the day's cut-off none is written: anything anonymous given
        then is refused, and what was given before stays (taking it back is
        refused too). Returns whether it is in the totals ("", "given",
        "kept") and the concerns withdrawn, whose copies on this machine are
        gone once the contribution without them is written.
        """
        from huddle_tui.totals.answer import answer_for, text_of

        member = checkin.member or ""
        anonymous = as_visibility(checkin.visibility) == "anonymous"
        concerns = [c for c in checkin.concerns if c.visibility == "anonymous"]
        was = now.private is not None and bool(now.private.payload.get("in_totals"))
        if self.me is None or self.me.casefold() != member.casefold():
            if anonymous or concerns:
                raise RefusedError("anonymous answers of this team go only into its totals, from the "
                                   "member's own machine: set `me` first (huddle init --me NAME)")
            return "", ()
        steps = self.totals_steps()
        if steps is None:
            return "", ()
        day, today = date.fromisoformat(checkin.date), self.now().date()
        from huddle_tui.totals.steps import closed

        taking = {text_of(c) for c in withdraw}
        every = self._kept_for_totals(member, checkin.date)
        taken = [c for c in every if text_of(c) in taking]
        kept = [c for c in every if text_of(c) not in taking]
        given = [c for c in concerns if text_of(c) not in {text_of(k) for k in kept}]
        if closed(self.team, day, today):
            earlier = now.checkin.concerns if was and now.checkin is not None else ()
            new_texts = {text_of(c) for c in given} - {text_of(c) for c in [*earlier, *taken]}
            if (anonymous and not was) or new_texts:
                raise RefusedError(f"the anonymous totals of {day} are closed (its cut-off passed): "
                                   "check in by name or privately; nothing saved")
            if anonymous and now.private is not None and now.private.payload.get("mood") != checkin.mood:
                raise RefusedError(f"your anonymous mood of {day} stays in the day's totals as you gave it "
                                   "(the day opened); nothing saved")
            back = [c for c in taken if text_of(c) not in {text_of(g) for g in given}]
            if back:
                raise RefusedError(f"your anonymous {back[0].kind} of {day} stays in the day's totals as you "
                                   "gave it (the day opened); nothing saved")
            return ("kept" if was or every else ""), ()
        signposted = signposted or self._signposted(member, checkin.date)
        answer = answer_for(checkin.mood if anonymous else None, [*kept, *given],
                            self._own_measures(member, checkin.date), signposted)
        from huddle_tui.totals import takeaways

        carry = takeaways.to_carry(self.shared, self.private, self.team, member, checkin.date, today,
                                   self._totals_trust(), self._placeholders)
        if carry is not None:
            answer = answer._replace(takeaway=carry.text)

        def noted(made: Contribution) -> None:
            """Note that this contribution carries the takeaway, before anyone can see it."""
            if carry is not None:
                takeaways.note_carried(self.private, carry, checkin.date, made.digest)

        made = steps.contribute(day, today, answer, noted)
        if made is None and (anonymous or given or taken):
            raise RefusedError(f"this machine has no day key for {day} in the shared folder yet, so an "
                               "anonymous answer cannot join the totals or leave them; nothing saved")
        if made is not None and signposted:
            self.note_signpost(member, day)
        for concern in taken:  # the contribution without them is written: the copies here go too
            self.private.save("concern", self._kept_id(concern, checkin.date, member), checkin.date,
                              {"visibility": "private"}, deleted=True)
        withdrawn = tuple(c for c in taken if text_of(c) not in {text_of(g) for g in given})
        return ("given" if anonymous or answer.texts else ""), withdrawn

    def given_to_totals(self, member: str, day: str) -> tuple[Concern, ...]:
        """The anonymous concerns `member` gave to `day`'s totals beside a named or private check-in.

        Only this machine knows them (they went out masked); `huddle checkin`
        and the form list them so that their author can take them back
        before the day's cut-off.
        """
        if not self.team.in_totals:
            return ()
        return tuple(sorted(self._kept_for_totals(self._member(member).name, day),
                            key=lambda c: (c.kind, c.text)))

    def totals_closed(self, day: date) -> bool:
        """Whether `day`'s anonymous totals are fixed: its cut-off passed (what was given stays in them)."""
        from huddle_tui.totals.cutoff import closed

        return self.team.in_totals and closed(self.team, day, self.now().date())

    def _kept_id(self, concern: Concern, day: str, member: str) -> str:
        """The id of this machine's copy of an anonymous concern given to `day`'s totals."""
        return named_id("concern", "totals", str(self.team.shared_dir), member, day, concern.kind,
                        concern.text)

    def _keep_for_totals(self, concern: Concern, day: str, member: str) -> Record:
        """Keep here only an anonymous concern given to the day's totals with a named or private check-in."""
        rid = self._kept_id(concern, day, member)
        return self.private.save("concern", rid, day, {**concern.to_payload(), "id": rid, "member": member,
                                                       "visibility": "private", "in_totals": True})

    def _kept_for_totals(self, member: str, day: str) -> list[Concern]:
        """The anonymous concerns `member` gave to `day`'s totals with a named or private check-in."""
        records = self.private.read(("concern",), since=day, until=day).live("concern")
        return [Concern.from_payload(r.payload, "anonymous") for r in records
                if r.date == day and r.payload.get("in_totals") and r.payload.get("member") == member]

    def _own_measures(self, member: str, day: str) -> list[MeasureAnswer]:
        """The member's measure answers of `day`, as this machine keeps them (support.save_answer)."""
        from huddle_tui.rules import measures as m

        ids = [named_id(m.MEASURE_KIND, f"{member}\x1f{measure}", day) for measure in (m.SISQ, m.WHO5)]
        found = self.private.read_ids(m.MEASURE_KIND, day, ids).records
        out = []
        for record in found.values():
            if record.deleted or record.payload.get("member") != member:
                continue
            answer = m.Answer.from_payload(day, record.payload)
            if answer is not None:
                out.append(answer)
        return out

    def signpost_note_id(self, member: str, day: date) -> str:
        """The id of this machine's note that `member` was shown a signpost on `day` (totals mode)."""
        return named_id("signpost", "totals", str(self.team.shared_dir), member, day.isoformat())

    def note_signpost(self, member: str, day: date) -> None:
        """Note, on this machine only, that a signpost was shown: the day's contributions count it."""
        iso = day.isoformat()
        rid = self.signpost_note_id(member, day)
        if not self.private.read_ids("signpost", iso, (rid,)).records:
            self.private.save("signpost", rid, iso,
                              {"member": member, "visibility": "private", "in_totals": True})

    def _signposted(self, member: str, day: str) -> bool:
        """Whether this machine noted a signpost shown to `member` on `day`."""
        rid = self.signpost_note_id(member, date.fromisoformat(day))
        record = self.private.read_ids("signpost", day, (rid,)).records.get(rid)
        return record is not None and not record.deleted

    def settle_totals(self, every_s: float = 0.0) -> int:
        """On a write path: publish keys ahead, and list and reveal for days whose cut-off passed.

        Returns how many records were written (0 when the team is not in that
        mode). With `every_s`, a journal that did this less than that long ago
        skips it: the app's lobby asks every few seconds, and a day's list and
        reveals need minutes, not seconds.
        """
        if not self.team.in_totals:
            return 0
        import time

        if every_s and self._settled_at is not None and time.monotonic() - self._settled_at < every_s:
            return 0
        self._settled_at = time.monotonic()
        steps = self.totals_steps()
        if steps is None:
            return 0
        today = self.now().date()
        return steps.publish_keys(today) + steps.settle(today)

    def my_anonymous_takeaways(self) -> MyTakeaways | None:
        """Where `me`'s anonymous takeaways stand, for them alone (None: not in the totals mode); a read."""
        if not self.team.in_totals or self.me is None:
            return None
        from huddle_tui.totals.takeaways import mine

        return mine(self.shared, self.private, self.team, self.me, self.now().date(), self._totals_trust(),
                    self._placeholders)

    def totals_view(self, day: date) -> TotalsView | None:
        """What may be shown of `day`'s anonymous totals, from the files only (None: not in that mode)."""
        if not self.team.in_totals:
            return None
        # Light imports only: a kept view is shown without importing the aggregation core.
        from huddle_tui.totals.cutoff import closed, week_days, week_over
        from huddle_tui.totals.dayview import DayView

        today = self.now().date()

        def fresh() -> DayView:
            """Open the day (and its week's pool) from the files."""
            from huddle_tui.totals.view import day_view

            return day_view(self.shared, self.team, day, today, self._totals_trust(), self._placeholders)

        # Kept while nothing it was opened from changed: a closed day whose week lies in its month (the
        # key stamps that month's folders); kept apart before and after the week is over (its pool).
        if not closed(self.team, day, today) \
                or any(d.isoformat()[:7] != day.isoformat()[:7] for d in week_days(self.team, day)):
            return fresh()
        name = f"{derived.TOTALS}/{'week' if week_over(self.team, day, today) else 'day'}"
        return self._kept(name, day, derived.TOTALS_KINDS, fresh, DayView.to_payload, DayView.from_payload)

    def _theirs(self, member: str, now: Current) -> bool:
        """Whether `member`'s check-in here is their own word and I am someone else (it cannot be changed)."""
        return (self.me is not None and self.me.casefold() != self._member(member).name.casefold()
                and now.named is not None and now.named.payload.get("keyed_by") is None)

    def _check_proxy(self, member: str, now: Current, visibility: str) -> None:
        """Refuse a check-in for someone else that would not count: not by name, or over their own."""
        if self.me is None or self.me.casefold() == member.casefold():
            return
        if visibility != "team":
            raise RefusedError(f"a check-in you enter for {member} is saved by name only, marked as keyed "
                               f"by {self.me}; only {member} can check in anonymously or privately")
        if self._theirs(member, now):
            raise RefusedError(f"{member} already checked in themselves that day; "
                               "their answer stays as they gave it")

    def _releasable(self, day: date, kind: str = "checkin") -> bool:
        """Whether an anonymous answer (or a mark, by its own rule) dated `day` may go out now (k ≥ 3)."""
        from huddle_tui.rules.privacy import K, concern_candidates, mark_releasable, releasable

        iso = day.isoformat()
        day_records = self.shared.read(("checkin",), since=iso, until=iso)
        today = [c for c in self.checkins(day_records) if c.date == iso]
        if kind in COUNTED_KINDS:
            return mark_releasable(day, today)
        # The rule counts members on the roster by name: the team's own (roster() would add the away
        # ranges recorded in the folder, which it does not look at, read at a cost growing with them).
        if kind == "concern":
            return concern_candidates(self.team, day, today) >= K
        return releasable(self.team, day, today)

    def release_pending(self, days: int = RECENT_DAYS) -> int:
        """Release this machine's held-back anonymous answers and concerns where their day now allows.

        Returns how many were released. Each goes to the shared folder dated
        to its day only, in a later session than the one it was given in,
        with the others due at the same time, in random order.
        """
        pending = [r for r in self.private.read(("checkin", "concern", *COUNTED_KINDS), since=(
            self.date_now() - timedelta(days=days)).isoformat()).live()
            if r.payload.get("pending") and r.id not in self._given]
        if len(pending) > 1:
            import random  # here: most runs hold nothing back, and a scripted command starts fast

            random.SystemRandom().shuffle(pending)
        released = 0
        for record in pending:
            if not self._releasable(date.fromisoformat(record.date), record.kind):
                continue
            answer = {k: v for k, v in record.payload.items() if k not in ("pending", "member", "visibility")}
            if record.kind == "checkin":
                answer["visibility"] = "anonymous"
            key = self._anonymous_signer(record.kind, record.id)
            self._share(record.kind, self._released_id(record.kind, record.id), record.date, answer,
                        anonymous=True, key=key, signed=key is not None)
            self.private.save(record.kind, record.id, record.date, {"visibility": "private"}, deleted=True)
            released += 1
        return released

    def save_concern(self, concern: Concern, day: str, member: str | None) -> Record:
        """Save a concern on its own, e.g. one raised in the round, where its visibility allows.

        In a team whose anonymous answers go to its totals, an anonymous
        concern travels only inside its author's check-in: a file of its own
        (or one written by whoever keyed it in the round) would name them.
        """
        if concern.visibility == "anonymous" and self.team.in_totals:
            raise RefusedError("in this team an anonymous concern goes only with your own check-in, inside "
                               "its masked contribution (huddle checkin --anonymous, or the form); "
                               "nothing saved")
        payload = concern.to_payload()
        if concern.visibility == "private":
            return self.private.save("concern", payload["id"], day,
                                     {**payload, "member": member, "visibility": "private"})
        if concern.visibility == "anonymous":  # waits here like an anonymous answer (see release_pending)
            rid = random_id()
            self._given.add(rid)
            return self.private.save("concern", rid, day, {**{k: v for k, v in payload.items() if k != "id"},
                                                           "member": member, "pending": True})
        return self._share("concern", payload["id"], day, {**payload, "member": member})

    def save_version(self, kind: str, record_id: str, day: str, payload: dict[str, Any], *,
                     anonymous: bool = False) -> Record:
        """A new version of a shared record (a follow-up closed), through the one save path."""
        return self._share(kind, record_id, day, payload, anonymous=anonymous)

    def _anonymous_signer(self, kind: str, private_id: str) -> SigningKey | None:
        """The one-time key an anonymous record held here as `private_id` is signed with when released.

        Derived from this machine's anonymity secret, so a re-check-in signs its
        new version with the same key; None when this machine signs nothing
        (no member set), when records go out unsigned as before keys existed.
        """
        if self.me is None:
            return None
        from huddle_tui.storage.localkey import anonymity_key
        from huddle_tui.storage.signature import anonymous_key

        return anonymous_key(anonymity_key(self._data_dir), f"{kind}\x1f{private_id}")

    def _released_id(self, kind: str, private_id: str) -> str:
        """The id an anonymous record held here is released under: its one-time key's (unsigned: its own)."""
        key = self._anonymous_signer(kind, private_id)
        if key is None:
            return private_id
        from huddle_tui.storage.signature import id_for_key

        return id_for_key(key.public)

    def _anonymous_id(self, member: str, day: str) -> str:
        """My anonymous check-in's id that day: the same on a re-check-in, unguessable to others.

        It is an HMAC of member and date under a secret that never leaves this
        machine, so a second anonymous check-in is a new version of the first
        (not a second answer) with no link to its author stored anywhere.
        """
        import hashlib
        import hmac

        from huddle_tui.storage.localkey import anonymity_key

        secret = anonymity_key(self._data_dir)
        digest = hmac.new(secret, f"{member.casefold()}\x1f{day}".encode(), hashlib.sha256).digest()
        return as_uuid(digest, 4)

    # ------------------------------------------------------------ huddles, handoffs, away

    def huddle_id(self, day: date, round_no: int) -> str:
        """The record id of a round: the day's first is the same on every machine, later ones new."""
        if round_no <= 1:
            return named_id("huddle", self.team.name, day.isoformat())
        return random_id()

    def save_huddle(self, huddle: Huddle, record_id: str | None = None) -> Record:
        """Record a round held (or about to be): a new version of that round's own record."""
        rid = record_id or self.huddle_id(date.fromisoformat(huddle.date), huddle.round)
        return self._share("huddle", rid, huddle.date, huddle.to_payload())

    def save_handoff(self, handoff: Handoff) -> Record:
        """Record that the facilitator role for a date went to someone else."""
        day = self._working_day(handoff.date)
        taker = self._member(handoff.to_member)
        if not self.roster().expects(taker.name, day):
            raise RefusedError(f"{taker.name} is away (or not yet on the team) on {day}")
        plan = self.plan(day)
        if plan.reason == "held":
            raise RefusedError(f"the huddle of {day} was already held, facilitated by "
                               f"{plan.facilitator}; a handoff cannot change it")
        return self._share("handoff", named_id("handoff", self.team.name, handoff.date), handoff.date,
                           handoff._replace(to_member=taker.name).to_payload())

    def save_away(self, away: Away) -> Record:
        """Record that a member is away for a range of dates (no hand edit of huddle.toml)."""
        day, payload = away_record(self.team, away)
        return self._share("away", random_id(), day, payload)

    # ------------------------------------------------------------ reading

    def read(self, kinds: tuple[str, ...] | None = None, since: str | None = None) -> History:
        """Read the shared folder (merged, verified)."""
        return self.shared.read(kinds, since=since)

    def checkins(self, history: History) -> list[CheckIn]:
        """Every live check-in in a history (placeholders included)."""
        return [CheckIn.from_payload(r.date, r.payload) for r in history.live("checkin")]

    def roster(self) -> TeamConfig:
        """The team with the away ranges recorded in the shared folder added to the config's.

        A save, a summary and the round's keys ask for it several times; reading
        every month of the away records each time cost a save with five years of
        them three times one with none. So the last roster is kept while the
        away folders' stamps (settled) and the judgement of whose records count
        are what they were: in this process, and in the folder's cache with
        its fingerprint (a 200-member roster of five years holds a thousand
        ranges: reading them and fingerprinting the roster cost more than a
        30-day report's figures).
        """
        root = self.team.shared_dir
        trust = self.authorship()
        judged = derived.team_checksum(self.team) + (trust.tag if trust is not None else "")
        away = ("away",)
        stamped = derived.months_key(root, derived.ROSTER, judged, derived.months_of(root, away), away)
        kept = self._roster
        if kept is not None and stamped.settled and kept[0] == stamped.parts and kept[1] is trust:
            return kept[2]
        team = self._kept_roster(stamped)
        self._roster = (stamped.parts, trust, team)
        return team

    def _kept_roster(self, stamped: derived.Key) -> TeamConfig:
        """roster() from the folder's cache while `stamped` holds, else read afresh (kept when settled)."""
        from huddle_tui.storage.stamps import fingerprint, remember_fingerprint

        cache = self.shared.cache()
        kept = derived.load(cache, derived.ROSTER, stamped)
        if kept is not None:
            try:
                ranges, print_ = kept
                extra: dict[str, list[AwayRange]] = {}
                for member, start, end in ranges:
                    span = AwayRange(date.fromordinal(start), date.fromordinal(end))
                    extra.setdefault(member, []).append(span)
                if isinstance(print_, str):
                    team = self.team.with_away(extra)
                    remember_fingerprint(team, print_)
                    return team
            except (TypeError, ValueError, AttributeError):
                pass  # a damaged row: read afresh
        extra = self._read_away()
        team = self.team.with_away(extra)
        if stamped.settled:  # fingerprinted only to be kept (the report's keys ask for it then)
            print_ = fingerprint(team)
            remember_fingerprint(team, print_)
            derived.keep(cache, derived.ROSTER, stamped,
                         ([(member, r.start.toordinal(), r.end.toordinal()) for member, spans in extra.items()
                           for r in spans], print_))
        return team

    def _read_away(self) -> dict[str, list[AwayRange]]:
        """The away ranges recorded in the shared folder, by casefolded member, as read."""
        from huddle_tui.model.huddle import Away

        extra: dict[str, list[AwayRange]] = {}
        for r in self.shared.read(("away",)).live("away"):
            away = Away.from_payload(r.payload)
            try:
                span = AwayRange(date.fromisoformat(away.start), date.fromisoformat(away.end))
            except ValueError:
                continue
            extra.setdefault(away.member.casefold(), []).append(span)
        return extra

    def plan(self, day: date, history: History | None = None) -> Plan:
        """Facilitator and speaking order for `day`, from the huddle and handoff records.

        Without a history given, it reads months back from `day`'s only until
        older records can no longer change the answer (rotation.settled): the
        same plan as from the whole history, at the cost of the months needed.
        That answer is kept like the lobby's (see `today`), so a day's summary,
        `huddle next` and the lobby after a check-in do not read it again.
        """
        from huddle_tui.model.huddle import Plan
        from huddle_tui.rules.rotation import settled

        if history is not None:
            return _plan(self.roster(), day, history)

        def fresh() -> Plan:
            """Read back as far as the plan needs."""
            team = self.roster()
            back = self.shared.read_back(("huddle", "handoff"), day.isoformat(),
                                         lambda read: settled(team, day, read))
            return _plan(team, day, back)

        return self._kept(PLAN, day, (), fresh, Plan.to_payload, Plan.from_payload)

    def today(self, day: date) -> Today:
        """What the lobby shows of `day`: its plan, who checked in (any visibility; async), rounds held.

        Kept as a derived answer in the folder's cache (storage/derived.py)
        and used while nothing it was computed from has changed, so the lobby can
        paint it on its first frame and its refresh costs a few stat calls.
        """
        from huddle_tui.model.huddle import Today

        iso = day.isoformat()

        def fresh() -> Today:
            """The plan, and the day's check-ins and rounds from its month (kept as the day's last too)."""
            history = self.shared.read(("checkin", "huddle"), since=iso, until=iso)
            named = frozenset(c.member.casefold() for c in self.checkins(history)
                              if c.date == iso and c.member and c.visibility in ("team", WITHHELD))
            rounds = sum(1 for r in history.live("huddle") if r.date == iso)
            found = Today(self.plan(day), named, rounds, self.async_members(day, history))
            derived.keep(self.shared.cache(), derived.TODAY_LAST, derived.last_key(iso, self.team),
                         found.to_payload())
            return found

        return self._kept(TODAY, day, ("checkin",), fresh, Today.to_payload, Today.from_payload)

    def async_members(self, day: date, history: History | None = None, started: datetime | None = None
                      ) -> frozenset[str]:
        """Who (casefolded) checked in for `day` before its round (rules/async_lane.py).

        From `history` when given (it must hold the day's check-ins and
        huddles), else from a read of the day; `started` is a round starting
        now whose record may not be written yet.
        """
        from huddle_tui.rules.async_lane import async_members

        iso = day.isoformat()
        found = history if history is not None else self.read(("checkin", "huddle"), since=iso)
        return async_members(self.team, day, (*found.live("checkin"), *found.live("huddle")), started)

    def _kept(self, name: str, day: date, day_kinds: tuple[str, ...], fresh: Callable[[], _T],
              to_payload: Callable[[_T], dict[str, Any]],
              from_payload: Callable[[dict[str, Any]], _T]) -> _T:
        """A derived answer about `day`: the kept one while its folders are unchanged, else `fresh()`."""
        cache = self.shared.cache()
        stamped = derived.key(self.team.shared_dir, day.isoformat(), self.team, day_kinds)
        kept = derived.load(cache, name, stamped)
        if kept is not None:
            try:
                return from_payload(kept)
            except (KeyError, TypeError, ValueError, AttributeError):
                pass
        found = fresh()
        derived.keep(cache, name, stamped, to_payload(found))
        return found

    def report_data(self, since: date | None = None) -> ReportData:
        """The history as the impact report reads it (rules/report.py): one read for every figure.

        Its facts are kept a month at a time in the folder's cache (storage/derived.py)
        and used while that month's folders have not changed, so a new check-in
        costs a re-read of its month only; the whole history's are kept too, so
        an unchanged folder costs one file. From a `since`, the months before
        it give only their heads (rules/report.py head_of: open follow-ups,
        first date, buddy rounds), and the days and huddles before it are left
        out of its own month: every figure of a report from `since` on is
        the whole history's, at the cost of its window (`huddle report --since
        30d`, the lobby's glance of five weeks). One exception: in a team of
        totals mode, the measures a period names include those opened by
        earlier dates' totals, which a windowed read does not open.

        Like a read of the folder (storage/folder.py, _pause_gc), it runs with
        the cycle collector paused: the kept facts are plain tuples and sets
        that hold no cycles, and a 90-day window of a 200-member team makes
        enough of them that the collector walked them all again, a tenth of
        the report's time.
        """
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._report_data(since)
        finally:
            if collecting:
                gc.enable()

    def _report_data(self, since: date | None) -> ReportData:
        """report_data(), the collector paused."""
        from huddle_tui.rules.report import data_from_json, data_to_json, joined, merged

        team, keys = self._report_months()
        months = list(keys)
        if since is not None:
            start = since.isoformat()[:7]
            heads = self._report_heads(team, keys, [month for month in months if month < start])
            window = [self._report_facts(team, keys[month], month) for month in months if month >= start]
            try:
                data = data_from_json(team, joined([*heads, *window], since.isoformat()))
            except (KeyError, TypeError, ValueError, IndexError, AttributeError):  # damaged: month by month
                data = merged(team, (self._report_month(team, keys[month], month, whole=month >= start)
                                     for month in months))
            return self._with_totals(data)
        stamped = derived.Key([k.parts for k in keys.values()], all(k.settled for k in keys.values()))
        cache = self.shared.cache()
        kept = derived.load(cache, f"{derived.REPORT}/all", stamped)
        if kept is not None:
            try:
                return self._with_totals(data_from_json(team, kept))
            except (KeyError, TypeError, ValueError, IndexError, AttributeError):
                pass
        data = merged(team, (self._report_month(team, keys[month], month, whole=True) for month in months))
        derived.keep(cache, f"{derived.REPORT}/all", stamped, derived.pooled(data_to_json(data)))
        return self._with_totals(data)

    def _with_totals(self, data: ReportData) -> ReportData:
        """The report's facts with each date's opened anonymous totals, in a team of totals mode.

        Its signposts and measures went only into the day's contributions:
        the report counts what each day's totals opened (each kept like the
        summary's while its folders are unchanged).
        """
        if not self.team.in_totals or not data.days:
            return data
        from huddle_tui.rules.report import Opened, with_totals
        from huddle_tui.totals.records import CONTRIBUTION, days_with

        opened = {}
        for iso in days_with(self.shared, self.team, CONTRIBUTION, list(data.days)):
            view = self.totals_view(date.fromisoformat(iso))
            if view is None:
                continue
            moods = (view.mood_sum, view.answers or 0) if view.mood_sum is not None else (0, 0)
            counts = tuple(view.distribution.get(m, 0) for m in range(1, 6)) if view.distribution else ()
            takeaways = len(view.takeaways or ())
            if view.signposts or view.measures or moods[1] or takeaways:
                opened[iso] = Opened(view.signposts or 0, view.measure_sums(), moods, counts, takeaways)
        return with_totals(data, opened)

    def read_report_months(self, after: str = "", limit: int | None = None) -> tuple[int, str]:
        """Read up to `limit` months later than `after` whose report facts are not kept yet.

        Returns how many such months are left after them, and the last month
        read (the cursor for the next call: a month written moments ago is
        read but not kept, so the cursor, not the kept files, says where to go
        on). The app reads a long history this way, a few months per IO job,
        so saves queued meanwhile never wait behind all of it.
        """
        team, keys = self._report_months()
        unread = [month for month, stamped in keys.items()
                  if month > after and not self._report_kept(month, stamped)]
        done = unread[:limit]
        for month in done:
            self._report_month(team, keys[month], month, whole=False)
        return len(unread) - len(done), done[-1] if done else after

    def folders_key(self, kinds: tuple[str, ...], since: date, until: date) -> derived.Key:
        """The stamps of the shared month folders a read of `kinds` from `since` to `until` lists.

        Equal to an earlier key that was settled, that read would find the same
        records: a screen re-reading every few seconds can skip the read.
        """
        months, month = [], since.replace(day=1)
        while month <= until:
            months.append(month.isoformat()[:7])
            month = (month + timedelta(days=32)).replace(day=1)
        return derived.months_key(self.team.shared_dir, "read", "", months, kinds)

    def _report_months(self) -> tuple[TeamConfig, dict[str, derived.Key]]:
        """The roster the report is read with, and every month with records it reads, oldest first, with
        the key (the stamps of its folders, the roster and whose records count) its facts are kept under."""
        from huddle_tui.rules.report import REPORT_KINDS

        team = self.roster()
        trust = self.authorship()  # whose records count is part of every month's facts
        team_sum = derived.team_checksum(team) + (trust.tag if trust is not None else "")
        return team, derived.month_keys(self.team.shared_dir, derived.REPORT, team_sum, REPORT_KINDS)

    def _report_kept(self, month: str, stamped: derived.Key) -> bool:
        """Whether a month's report facts are kept for its folders as they are now."""
        return derived.load(self.shared.cache(), f"{derived.REPORT}/{month}.head", stamped) is not None

    def _report_month(self, team: TeamConfig, stamped: derived.Key, month: str, *, whole: bool) -> ReportData:
        """One month's report facts (only its follow-ups and first date unless `whole`), kept or read."""
        import calendar

        from huddle_tui.rules.report import REPORT_KINDS, data_from_json, data_to_json, head_of, read_data

        cache = self.shared.cache()
        name = f"{derived.REPORT}/{month}"
        kept = derived.load(cache, name if whole else f"{name}.head", stamped)
        if kept is not None:
            try:
                return data_from_json(team, kept)
            except (KeyError, TypeError, ValueError, IndexError, AttributeError):
                pass
        year, number = int(month[:4]), int(month[5:])
        last = f"{month}-{calendar.monthrange(year, number)[1]:02d}"
        data = read_data(team, self.shared.read(REPORT_KINDS, since=f"{month}-01", until=last))
        derived.keep(cache, name, stamped, derived.pooled(data_to_json(data)))
        derived.keep(cache, f"{name}.head", stamped, derived.pooled(data_to_json(head_of(data))))
        return data if whole else head_of(data)

    def _report_heads(self, team: TeamConfig, keys: dict[str, derived.Key], earlier: list[str]
                      ) -> list[dict[str, Any]]:
        """The kept heads of the `earlier` months (rules/report.py head_of), from one row if it can.

        Every month but the newest keeps its head in one row (REPORT/heads) while
        none of those months changes: a report of the last 30 or 90 days, or the
        lobby's glance, reads that row and the months of its window, whatever the
        history's length. A month it does not hold (the newest) is read alone.
        """
        if not earlier:
            return []
        covered = list(keys)[:-1]
        cache = self.shared.cache()
        stamped = derived.Key([[month, keys[month].parts] for month in covered],
                              all(keys[month].settled for month in covered))
        name = f"{derived.REPORT}/heads"
        kept = derived.load(cache, name, stamped)
        if not isinstance(kept, dict):
            kept = {month: self._report_facts(team, keys[month], month, whole=False) for month in covered}
            derived.keep(cache, name, stamped, derived.pooled(kept))
        return [kept[month] if month in kept else self._report_facts(team, keys[month], month, whole=False)
                for month in earlier]

    def _report_facts(self, team: TeamConfig, stamped: derived.Key, month: str, *, whole: bool = True
                      ) -> dict[str, Any]:
        """One month's facts (or head) as kept (data_to_json's), read afresh when they are not."""
        from huddle_tui.rules.report import data_to_json

        name = f"{derived.REPORT}/{month}"
        kept = derived.load(self.shared.cache(), name if whole else f"{name}.head", stamped)
        if isinstance(kept, dict):
            return kept
        return data_to_json(self._report_month(team, stamped, month, whole=whole))

    def rounds_held(self, day: date) -> int:
        """How many rounds were held on `day` (a held day may have another)."""
        iso = day.isoformat()
        return sum(1 for r in self.read(("huddle",), since=iso).live("huddle") if r.date == iso)

    def summary(self, day: date) -> Summary:
        """The day's team-visible summary: the one function the CLI, the app and chat posts use."""
        from huddle_tui.rules.summary import build

        team = self.roster()
        iso = day.isoformat()
        history = self.shared.read(DAY_KINDS, since=iso, until=iso)  # the day's month folders only
        upcoming = self.plan(team.next_workday(day))
        out = build(team, day, history, upcoming.facilitator)
        view = self.totals_view(day)
        if view is not None:
            from huddle_tui.rules.summary import totals_concerns

            out.totals = view.as_json()
            out.concerns += totals_concerns(out.totals)
        return out

    # ------------------------------------------------------------ checks

    def _member(self, name: str) -> Member:
        """The roster entry for a name or handle, or a one-line refusal."""
        member = self.team.member(name)
        if member is None:
            raise UsageError(f"unknown member {name!r} (not on the roster of {self.team.name})")
        return member

    def _working_day(self, iso: str, member: str | None = None) -> date:
        """A date records may be kept for: in range, a working day, the member expected."""
        day = _check_date(iso)
        if not self.team.is_workday(day):
            raise RefusedError(f"{day} ({day:%A}) is not a working day for {self.team.name}; "
                               "nothing saved")
        if member is not None and not self.roster().expects(member, day):
            raise RefusedError(f"{self._member(member).name} is away (or not yet on the team) on {day}; "
                               "nothing saved")
        return day


def open_journal(team: TeamConfig, **options: Any) -> Journal:
    """The team's journal, replicating to its endpoints when it has any (sqlite only then).

    Its records are signed as `me`'s (the user config's, or the one member of
    a team of one) unless the caller names someone else.
    """
    if "me" not in options:
        from huddle_tui.config.user import load_user_config, who_am_i

        options["me"] = who_am_i(load_user_config(), team)
    journal = Journal(team, **options)
    if team.endpoints:
        from huddle_tui.sync.replicate import Replicator

        journal.replicator = Replicator(team)
    return journal


def away_record(team: TeamConfig, away: Away) -> tuple[str, dict[str, Any]]:
    """An away range as it is recorded: its date (the first day away) and its payload, checked.

    The member as the roster spells them, dates in range, the end not before
    the start. `huddle away` (Journal.save_away) and the demo's history both
    record a range through this, so a demo's ranges are a team's.
    """
    member = team.member(away.member)
    if member is None:
        raise UsageError(f"unknown member {away.member!r} (not on the roster of {team.name})")
    start, end = _check_date(away.start), _check_date(away.end)
    if end < start:
        raise UsageError(f"--to {end} is before --from {start}")
    return start.isoformat(), away._replace(member=member.name, start=start.isoformat(),
                                            end=end.isoformat()).to_payload()


def _plan(team: TeamConfig, day: date, history: History) -> Plan:
    """The plan from one history."""
    from huddle_tui.rules.rotation import handoffs_in, held_huddles, plan_for

    return plan_for(team, day, held_huddles(history, day), handoffs_in(history))


def _live(record: Record | None) -> Record | None:
    """A record unless it is deleted."""
    return record if record is not None and not record.deleted else None


def _check_date(iso: str | date) -> date:
    """A date within the range records are kept for, or a one-line refusal."""
    try:
        day = iso if isinstance(iso, date) else date.fromisoformat(iso)
    except ValueError:
        raise UsageError(f"not a date: {iso!r} (expected YYYY-MM-DD)") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise UsageError(f"{day} is out of range: dates from {FIRST_DATE} to {LAST_DATE}")
    return day

