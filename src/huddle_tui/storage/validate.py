"""The payload rules of each record kind, checked on every record read from a folder.

A shared folder is untrusted input: any teammate (or a tool, or a damaged
disk) can put a correctly checksummed record there whose payload has a
string for a mood, a number for a list or a turn without a speaker. Reading
turns each record into a typed value (model/), so every payload is checked
here first, and one that breaks a rule is set aside with the reason, exactly
like a corrupt file (storage/scan.py). The typed values' `from_payload` can
then trust what they are given.

Keys a payload does not know are allowed (a later version may add some), and
so are kinds this version does not know. A rule names the first key at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huddle_tui.storage.envelope import is_date
from huddle_tui.text import MAX_CONCERN, MAX_STATUS

CHECKIN_VISIBILITIES = frozenset(("team", "anonymous", "withheld", "private"))
CONCERN_VISIBILITIES = frozenset(("team", "anonymous", "private"))
CONCERN_KINDS = frozenset(("blocker", "concern", "support"))
FOLLOWUP_STATES = frozenset(("open", "done"))
PAIR_TRACKS = ("buddy", "coffee")
PAIR_MARKS = ("met", "skip")
# Larger numbers are no duration and cannot all be made floats (float(10**400) raises).
_BIG = 1e15
_NONE: list[Any] = []  # an absent list, never changed


def problem(kind: str, payload: dict[str, Any]) -> str | None:
    """Why a payload of `kind` cannot be read as one, or None when it can (unknown kinds can)."""
    rule = RULES.get(kind)
    if rule is None:
        return None
    reason = rule(payload)
    return None if reason is None else f"invalid {kind}: {reason}"


def _checkin(p: dict[str, Any]) -> str | None:
    """A member's check-in; a withheld one only says that the member checked in."""
    get = p.get
    visibility, mood, status, concerns = get("visibility", "team"), get("mood"), get("status", ""), \
        get("concerns", _NONE)
    # The common shape in one test (a cold read checks thousands): named, a mood, no concerns.
    if ((visibility == "team" or visibility == "private") and get("member").__class__ is str
            and mood.__class__ is int and 1 <= mood <= 5 and status.__class__ is str
            and len(status) <= MAX_STATUS and concerns.__class__ is list and not concerns
            and get("source", "").__class__ is str):
        return None
    return _checkin_reason(p)


def _checkin_reason(p: dict[str, Any]) -> str | None:
    """Every check-in rule, one by one, naming the first broken (or None)."""
    get = p.get
    visibility = get("visibility", "team")
    if visibility.__class__ is not str or visibility not in CHECKIN_VISIBILITIES:
        return "visibility must be team, anonymous, withheld or private"
    if visibility == "anonymous":
        if "member" in p:
            return "an anonymous check-in must not name its member"
    elif get("member").__class__ is not str:
        return "member must be a name"
    if visibility == "withheld":
        for key in ("mood", "status", "concerns"):
            if key in p:
                return f"a withheld check-in carries no {key}"
    else:
        mood = get("mood")
        if mood.__class__ is not int or not 1 <= mood <= 5:
            return "mood must be a whole number from 1 to 5"
        status = get("status", "")
        if status.__class__ is not str or len(status) > MAX_STATUS:
            return f"status must be text of at most {MAX_STATUS} characters"
        concerns = get("concerns", ())
        if concerns.__class__ not in (list, tuple):
            return "concerns must be a list"
        for item in concerns:
            reason = _concern_object(item, need_id=True)
            if reason is not None:
                return f"concerns: {reason}"
    if get("source", "").__class__ is not str:
        return "source must be text"
    return None


def _concern_object(c: Any, *, need_id: bool) -> str | None:
    """A concern as a check-in lists it, or as a record of its own."""
    if c.__class__ is not dict:
        return "a concern must be an object"
    text = c.get("text")
    if text.__class__ is not str or len(text) > MAX_CONCERN:
        return f"text must be text of at most {MAX_CONCERN} characters"
    kind = c.get("kind")
    if kind.__class__ is not str or kind not in CONCERN_KINDS:
        return "kind must be blocker, concern or support"
    if (need_id or "id" in c) and c.get("id").__class__ is not str:
        return "id must be text"
    followup = c.get("followup")
    if followup is not None:
        if followup.__class__ is not dict or followup.get("owner").__class__ is not str:
            return "followup must be an object with an owner"
        state = followup.get("state")
        if state.__class__ is not str or state not in FOLLOWUP_STATES:
            return "followup state must be open or done"
    return None


def _concern(p: dict[str, Any]) -> str | None:
    """A concern saved on its own (an anonymous or private one raised in a named check-in)."""
    reason = _concern_object(p, need_id=False)
    if reason is not None:
        return reason
    member = p.get("member")
    if member is not None and member.__class__ is not str:
        return "member must be a name"
    visibility = p.get("visibility", "team")
    if visibility.__class__ is not str or visibility not in CONCERN_VISIBILITIES:
        return "visibility must be team, anonymous or private"
    return None


def _huddle(p: dict[str, Any]) -> str | None:
    """A huddle held: who facilitated, the order, each turn and the round's length."""
    get = p.get
    if get("facilitator").__class__ is not str:
        return "facilitator must be a name"
    if not _names(get("order")):
        return "order must be a list of names"
    turns = get("turns")
    if turns.__class__ is not list:
        return "turns must be a list"
    for turn in turns:
        reason = _turn(turn)
        if reason is not None:
            return f"turns: {reason}"
    round_s: Any = get("round_s")
    if not _seconds(round_s) or round_s <= 0:
        return "round_s must be a number of seconds above 0"
    for key in ("started_at", "ended_at"):
        value = get(key)
        if value is not None and value.__class__ is not str:
            return f"{key} must be a time or null"
    if "round" in p:
        number = p["round"]
        if number.__class__ is not int or number < 1:
            return "round must be a whole number from 1"
    return None


def _turn(t: Any) -> str | None:
    """One speaker's turn in a huddle."""
    if t.__class__ is dict:
        get = t.get
        box, spoken = get("timebox_s"), get("spoken_s")
        # The whole rule in one test first: a huddle has a turn per speaker.
        if (get("speaker").__class__ is str and (box.__class__ is float or box.__class__ is int)
                and 0 <= box <= _BIG and (spoken.__class__ is float or spoken.__class__ is int)
                and 0 <= spoken <= _BIG and get("skipped").__class__ is bool
                and get("late").__class__ is bool and get("async", False).__class__ is bool):
            return None
    return _turn_reason(t)


def _turn_reason(t: Any) -> str | None:
    """The first turn rule broken, or None."""
    if t.__class__ is not dict:
        return "a turn must be an object"
    if t.get("speaker").__class__ is not str:
        return "speaker must be a name"
    for key in ("timebox_s", "spoken_s"):
        if not _seconds(t.get(key)):
            return f"{key} must be a number of seconds, 0 or more"
    for key in ("skipped", "late"):
        if t.get(key).__class__ is not bool:
            return f"{key} must be true or false"
    if t.get("async", False).__class__ is not bool:
        return "async must be true or false"  # optional: an async member's turn (rules/async_lane.py)
    return None


def _handoff(p: dict[str, Any]) -> str | None:
    """The facilitator role handed from one member to another, with a reason."""
    for key in ("from", "to", "reason"):
        if p.get(key).__class__ is not str:
            return f"{key} must be text"
    return None


def _away(p: dict[str, Any]) -> str | None:
    """A member away from one date to another (both included)."""
    if p.get("member").__class__ is not str:
        return "member must be a name"
    start, end = p.get("from"), p.get("to")
    if start.__class__ is not str or not is_date(start):
        return "from must be a date YYYY-MM-DD"
    if end.__class__ is not str or not is_date(end):
        return "to must be a date YYYY-MM-DD"
    if end < start:
        return "to must not be before from"
    reason = p.get("reason", "")
    if reason.__class__ is not str:
        return "reason must be text"
    return None


def _names(value: Any) -> bool:
    """Whether a value is a list of names."""
    return value.__class__ is list and {*map(type, value)} <= _STR


_STR = {str}


def _seconds(value: Any) -> bool:
    """Whether a value is a finite number of seconds, 0 or more (a bool is no number)."""
    cls = value.__class__
    # NaN fails both comparisons; the JSON reader turns 1e999 into infinity, which fails the second.
    ok: bool = (cls is int or cls is float) and 0 <= value <= _BIG
    return ok


def _pairs(p: dict[str, Any]) -> str | None:
    """A buddy or coffee round: its track, its groups of 2 to 4 distinct names, the cooldown kept."""
    if p.get("track") not in PAIR_TRACKS:
        return "track must be buddy or coffee"
    groups = p.get("groups")
    if groups.__class__ is not list:
        return "groups must be a list"
    seen: set[str] = set()
    for group in groups:
        if not _names(group) or not 2 <= len(group) <= 4:
            return "each group must be a list of 2 to 4 names"
        for name in group:
            if name.casefold() in seen:
                return f"{name[:40]!r} is in two groups"
            seen.add(name.casefold())
    cooldown = p.get("cooldown")
    if cooldown.__class__ is not int or not 0 <= cooldown <= 1000:
        return "cooldown must be a whole number of weeks"
    return None


def _pairmark(p: dict[str, Any]) -> str | None:
    """A member's "met" or "skip" for a round."""
    if p.get("track") not in PAIR_TRACKS:
        return "track must be buddy or coffee"
    if p.get("member").__class__ is not str:
        return "member must be a name"
    if p.get("mark") not in PAIR_MARKS:
        return "mark must be met or skip"
    return None


def _circles(p: dict[str, Any]) -> str | None:
    """A peer-circle round: circles of 3 to 6 distinct names, each with a facilitator and an order of them."""
    circles = p.get("circles")
    if circles.__class__ is not list:
        return "circles must be a list"
    seen: set[str] = set()
    for circle in circles:
        if circle.__class__ is not dict:
            return "each circle must be a table"
        members: list[str] = circle.get("members", _NONE)
        if not _names(members) or not 3 <= len(members) <= 6:
            return "each circle must have 3 to 6 member names"
        folded = [n.casefold() for n in members]
        if len(set(folded)) < len(folded) or seen & set(folded):
            return "a name is in a circle twice"
        seen.update(folded)
        order: list[str] = circle.get("order", _NONE)
        if not _names(order) or sorted(n.casefold() for n in order) != sorted(folded):
            return "each circle's order must name its members once each"
        if circle.get("facilitator").__class__ is not str or circle["facilitator"].casefold() not in folded:
            return "each circle's facilitator must be one of its members"
    cooldown = p.get("cooldown")
    if cooldown.__class__ is not int or not 0 <= cooldown <= 1000:
        return "cooldown must be a whole number of weeks"
    return None


def _circlenote(p: dict[str, Any]) -> str | None:
    """A note sealed to a circle's members: its author, round, circle and sealed text (checked on opening)."""
    if p.get("member").__class__ is not str or not p["member"]:
        return "member must be a name"
    if p.get("round").__class__ is not str or len(p["round"]) != 10:
        return "round must be a date"
    members: list[str] = p.get("members", _NONE)
    if not _names(members) or not 3 <= len(members) <= 6:
        return "members must be 3 to 6 names"
    if p.get("sealed").__class__ is not dict:
        return "sealed must be a table"
    return None


def _session(p: dict[str, Any]) -> str | None:
    """A circle or debrief held: a huddle's fields (facilitator, order, turns, round_s) and its room."""
    from huddle_tui.model.sessions import MAX_EVENT_CHARS, TYPES

    if p.get("type") not in TYPES:
        return "type must be circle or debrief"
    members: list[str] = p.get("members", _NONE)
    if not _names(members) or not 2 <= len(members) <= 200:
        return "members must be 2 to 200 names"
    folded = {n.casefold() for n in members}
    if p.get("facilitator").__class__ is not str or p["facilitator"].casefold() not in folded:
        return "facilitator must be one of its members"
    for key in ("week", "event"):
        value = p.get(key, "")
        if value.__class__ is not str or len(value) > MAX_EVENT_CHARS:
            return f"{key} must be text of at most {MAX_EVENT_CHARS} characters"
    return _huddle(p)


def _in_session(p: dict[str, Any]) -> str | None:
    """What every record left after a session names: its author and the session's record id."""
    from huddle_tui.model.sessions import TYPES

    if p.get("member").__class__ is not str or not p["member"]:
        return "member must be a name"
    if p.get("session").__class__ is not str or not 1 <= len(p["session"]) <= 64:
        return "session must be a record id"
    if p.get("type") not in TYPES:
        return "type must be circle or debrief"
    return None


def _takeaway(p: dict[str, Any]) -> str | None:
    """A takeaway: kept in the room (sealed to its members) or shared with the team (its text)."""
    from huddle_tui.model.sessions import ROOM, TEAM

    reason = _in_session(p)
    if reason is not None:
        return reason
    members: list[str] = p.get("members", _NONE)
    if not _names(members) or not 1 <= len(members) <= 200:
        return "members must be a list of names"
    if p.get("share") == ROOM:
        return None if p.get("sealed").__class__ is dict else "sealed must be a table"
    if p.get("share") == TEAM:
        text = p.get("text")
        return None if text.__class__ is str and 0 < len(text) <= 280 else "text must be 1 to 280 characters"
    return "share must be room or team"


def _thanks(p: dict[str, Any]) -> str | None:
    """One member thanking another after a session."""
    reason = _in_session(p)
    if reason is not None:
        return reason
    if p.get("to").__class__ is not str or not p["to"] or p["to"].casefold() == p["member"].casefold():
        return "to must name someone else"
    return None


# Each kind's rule: None when a payload passes, else the first broken rule (without the kind).
def _key(p: dict[str, Any]) -> str | None:
    """A member's signing key published: whose it is, the key, and a label for the machine."""
    from huddle_tui.storage.signature import is_public_key

    if p.get("member").__class__ is not str or not p["member"]:
        return "member must be a name"
    if not is_public_key(p.get("key")):
        return "key must be an Ed25519 public key (43 base64url characters)"
    if p.get("label", "").__class__ is not str or len(p.get("label", "")) > 80:
        return "label must be a string of at most 80 characters"
    return None


_AGGREGATION_FIELDS: dict[str, tuple[tuple[str, type], ...]] = {
    "sharekey": (("key", str),),
    "daykeys": (("share_key", str), ("threshold", int), ("nonce", str), ("days", dict), ("shares", dict)),
    "contribution": (("day", str), ("keys", str), ("holders", list), ("threshold", int), ("numeric", list),
                     ("texts", str), ("share_key", str), ("nonce", str), ("shares", str)),
    "daylist": (("day", str), ("keys", str), ("holders", list), ("survivors", dict)),
    "reveal": (("day", str), ("list", str), ("seeds", str), ("masks", dict), ("texts", str)),
    "poolreveal": (("section", str), ("days", list), ("share", str)),
}
"""The anonymous totals' records (totals/records.py) and the type of each field they must carry.

Only their shape is checked here; their keys, shares and masks are read, and
checked for size and range, by the aggregation core (a malformed one counts
as absent there)."""


def _aggregation(kind: str) -> Callable[[dict[str, Any]], str | None]:
    """The rule of one aggregation kind: a member, and each field of its type."""

    def rule(p: dict[str, Any]) -> str | None:
        """The first field missing or of the wrong type."""
        if p.get("member").__class__ is not str or not p["member"]:
            return "member must be a name"
        for name, cls in _AGGREGATION_FIELDS[kind]:
            if p.get(name).__class__ is not cls:
                return f"{name} must be {_TYPE_WORDS[cls]}"
        day = p.get("day")
        if day is not None and not (day.__class__ is str and is_date(day)):
            return "day must be a date YYYY-MM-DD"
        return None

    return rule


_TYPE_WORDS = {str: "text", int: "a whole number", dict: "an object", list: "a list"}


RULES: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "checkin": _checkin, "concern": _concern, "huddle": _huddle, "handoff": _handoff, "away": _away,
    "pairs": _pairs, "pairmark": _pairmark, "key": _key,
    "circles": _circles, "circlenote": _circlenote,
    "session": _session, "takeaway": _takeaway, "thanks": _thanks,
    **{kind: _aggregation(kind) for kind in _AGGREGATION_FIELDS},
}
