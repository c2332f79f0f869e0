"""A member's pulse: the check-in (mood, status, concerns) and its concerns, as typed records.

Each type (a NamedTuple: cheap to import and to build) turns into the JSON
payload of a record (see storage/envelope.py) and back.
"""

from typing import Any, Literal, NamedTuple

from huddle_tui.model.ids import random_id

MOODS: dict[int, str] = {1: "struggling", 2: "low", 3: "okay", 4: "good", 5: "great"}
MOOD_SYMBOLS: dict[int, str] = {1: "▁", 2: "▂", 3: "▄", 4: "▆", 5: "█"}
CONCERN_KINDS = ("blocker", "concern", "support")
FOLLOWUP_STATES = ("open", "done")

Visibility = Literal["team", "anonymous", "private"]
"""Who may see an answer: the team by name, the team only in aggregate, or nobody but me."""
VISIBILITIES: tuple[Visibility, ...] = ("team", "anonymous", "private")
Stored = Literal["team", "anonymous", "private", "withheld"]
"""A check-in record's visibility: "withheld" is the named placeholder of an anonymous or private one."""
WITHHELD: Stored = "withheld"
_ANSWER: dict[str, Visibility] = {"team": "team", "anonymous": "anonymous", "private": "private"}


def as_visibility(value: str) -> Visibility:
    """A visibility read from a record or a form as the type says (anything unknown: team)."""
    return _ANSWER.get(value, "team")


class FollowUp(NamedTuple):
    """Who follows a concern up, and whether that is done."""

    owner: str
    state: str = "open"


class Concern(NamedTuple):
    """Something a person raised: a blocker, a concern or a call for support."""

    text: str
    kind: str = "concern"
    visibility: Visibility = "team"
    followup: FollowUp | None = None
    id: str = ""

    @classmethod
    def new(cls, text: str, kind: str = "concern", visibility: Visibility = "team",
            followup: FollowUp | None = None) -> "Concern":
        """A new concern with a fresh id."""
        return cls(text, kind, visibility, followup, random_id())

    def to_payload(self) -> dict[str, Any]:
        """The concern as JSON data."""
        out: dict[str, Any] = {"id": self.id or random_id(), "text": self.text, "kind": self.kind}
        if self.followup is not None:
            out["followup"] = {"owner": self.followup.owner, "state": self.followup.state}
        return out

    @classmethod
    def from_payload(cls, data: dict[str, Any], visibility: Visibility) -> "Concern":
        """Read a concern back from JSON data."""
        fu = data.get("followup")
        return cls(text=str(data.get("text", "")), kind=str(data.get("kind", "concern")),
                   visibility=visibility, id=str(data.get("id", "")),
                   followup=FollowUp(str(fu["owner"]), str(fu.get("state", "open")))
                   if isinstance(fu, dict) and "owner" in fu else None)


class CheckIn(NamedTuple):
    """One member's pulse for one date.

    `member` is None when anonymous. A "withheld" check-in is the named
    placeholder of an anonymous or private one: it says that the member
    checked in, and nothing of what they said (`mood` is None).
    """

    date: str
    mood: int | None
    member: str | None
    status: str = ""
    concerns: tuple[Concern, ...] = ()
    visibility: Stored = "team"
    source: str = "cli"
    keyed_by: str | None = None
    """Who keyed it when not its member (the facilitator in the round, a bot): rules/authorship.py."""

    @property
    def withheld(self) -> bool:
        """Whether this is only the named placeholder of an answer kept elsewhere."""
        return self.visibility == WITHHELD

    def placeholder(self) -> "CheckIn":
        """The named placeholder of this check-in: who checked in, and nothing they said."""
        return CheckIn(self.date, None, self.member, visibility=WITHHELD, source=self.source)

    def to_payload(self) -> dict[str, Any]:
        """The check-in as JSON data; an anonymous one has no member key, a placeholder no answer."""
        out: dict[str, Any] = {"visibility": self.visibility, "source": self.source}
        if not self.withheld:
            out.update(mood=self.mood, status=self.status,
                       concerns=[c.to_payload() for c in self.concerns])
        if self.visibility != "anonymous" and self.member is not None:
            out["member"] = self.member
            if self.keyed_by is not None:
                out["keyed_by"] = self.keyed_by
        return out

    @classmethod
    def from_payload(cls, day: str, data: dict[str, Any]) -> "CheckIn":
        """Read a check-in back from JSON data (validated when the record was read)."""
        visibility: Stored = data.get("visibility", "team")
        member = data.get("member")
        mood = data.get("mood")
        return cls(date=day, mood=None if visibility == WITHHELD else int(mood if mood is not None else 3),
                   member=str(member) if member is not None else None,
                   status=str(data.get("status", "")),
                   concerns=tuple(Concern.from_payload(c, as_visibility(visibility))
                                  for c in data.get("concerns", []) if isinstance(c, dict)),
                   visibility=visibility, source=str(data.get("source", "cli")),
                   keyed_by=str(data["keyed_by"]) if data.get("keyed_by") is not None else None)


class Change(NamedTuple):
    """A new version of a member's check-in as asked for: each field None keeps the earlier version's.

    A second check-in the same day changes only what it names (a bot that
    sends a mood does not drop the concern typed earlier); `items` replaces
    the concerns of each kind it lists, so an empty tuple for a kind clears them.
    """

    mood: int | None = None
    status: str | None = None
    items: tuple[tuple[str, tuple[Concern, ...]], ...] = ()
    visibility: Visibility | None = None

    def applied(self, earlier: CheckIn | None, day: str, member: str, default: Visibility,
                source: str) -> tuple[CheckIn, tuple[str, ...]]:
        """The check-in this change makes of `earlier` (None, a placeholder: nothing kept), and what it kept.

        The mood stays None when neither gives one (the journal refuses that).
        Kept concerns follow the check-in to a new visibility, as in the form.
        """
        before = earlier if earlier is not None and not earlier.withheld else None
        visibility: Visibility = self.visibility or (as_visibility(before.visibility) if before else default)
        replaced = dict(self.items)
        kept: list[str] = []
        if before is not None and self.mood is None:
            kept.append("mood")
        if before is not None and self.status is None and before.status:
            kept.append("status")
        concerns: list[Concern] = []
        for kind in CONCERN_KINDS:
            if kind in replaced:
                concerns += [c._replace(visibility=visibility) for c in replaced[kind]]
                continue
            old = [c for c in (before.concerns if before else ()) if c.kind == kind]
            if old:
                kept.append(f"{len(old)} {KIND_WORDS[kind][len(old) != 1]}")
            concerns += [c._replace(visibility=visibility) for c in old]
        if before is not None and self.visibility is None:
            kept.append(f"shared {VISIBILITY_WORDS[visibility]}")
        mood = self.mood if self.mood is not None else (before.mood if before else None)
        status = self.status if self.status is not None else (before.status if before else "")
        return CheckIn(day, mood, member, status, tuple(concerns), visibility, source), tuple(kept)


KIND_WORDS: dict[str, tuple[str, str]] = {"concern": ("concern", "concerns"),
                                          "blocker": ("blocker", "blockers"),
                                          "support": ("call for support", "calls for support")}
VISIBILITY_WORDS: dict[Visibility, str] = {"team": "by name", "anonymous": "anonymously",
                                           "private": "privately"}
