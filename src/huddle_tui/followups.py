"""Reading and closing follow-ups through the journal (rules/followups.py holds what one is).

`shared_only` is what any shared screen may list (the lobby, the summary):
the team's follow-ups from the shared folder, anonymous ones without a name.
The command line adds this machine's own private ones for the member at it.
"""

from __future__ import annotations

from datetime import date, timedelta

from huddle_tui.errors import UsageError
from huddle_tui.journal import RECENT_DAYS, Journal
from huddle_tui.rules.followups import DONE, FollowUpItem, find, from_records
from huddle_tui.storage.derived import Key
from huddle_tui.storage.envelope import Record

FOLLOWUP_KINDS = ("checkin", "concern")


def team_followups(journal: Journal, today: date, days: int = RECENT_DAYS) -> list[FollowUpItem]:
    """The team's follow-ups in the shared folder from the last `days` days (what shared screens show)."""
    since = (today - timedelta(days=days)).isoformat()
    return from_records(journal.read(FOLLOWUP_KINDS, since=since).live())


def team_followups_key(journal: Journal, today: date, days: int = RECENT_DAYS) -> Key:
    """The stamps of what team_followups reads: a settled key unchanged means the same list."""
    return journal.folders_key(FOLLOWUP_KINDS, today - timedelta(days=days), today)


def all_followups(journal: Journal, today: date, days: int = RECENT_DAYS) -> list[FollowUpItem]:
    """The team's follow-ups and this machine's private ones (for its own member, never a shared screen)."""
    since = (today - timedelta(days=days)).isoformat()
    private = [r for r in journal.private.read(FOLLOWUP_KINDS, since=since).live()
               if not r.payload.get("pending")]
    return [*team_followups(journal, today, days), *from_records(private, private=True)]


def mine(items: list[FollowUpItem], me: str) -> list[FollowUpItem]:
    """The follow-ups I own or raised."""
    key = me.casefold()
    return [i for i in items if i.owner.casefold() == key or (i.member or "").casefold() == key]


def close(journal: Journal, wanted: str, today: date) -> tuple[FollowUpItem, Record]:
    """Mark one follow-up done: a new version of its concern record, where it lives."""
    items = find(all_followups(journal, today), wanted)
    if not items:
        raise UsageError(f"no follow-up with id {wanted!r} (see `huddle followups`)")
    if len({i.id for i in items}) > 1:
        raise UsageError(f"{wanted!r} matches {len(items)} follow-ups; give more of the id")
    item = items[0]
    if not item.is_open:
        raise UsageError(f"follow-up {item.id[:8]} is already done")
    payload = item.payload(DONE)
    if item.visibility == "private":
        record = journal.private.save("concern", item.id, item.date,
                                      {**payload, "member": item.member, "visibility": "private"})
    else:
        record = journal.save_version("concern", item.id, item.date, payload,
                                      anonymous=item.visibility == "anonymous")
    return item._replace(state=DONE, version=record.version, standalone=True), record
