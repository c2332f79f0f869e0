"""Follow-ups: a concern someone agreed to follow up, its owner, its age and whether it is done.

A follow-up lives in the concern it belongs to. Closing one writes a new
version of that concern's own record (a concern given inside a check-in gets
a concern record of its own with the same id): its history is its versions,
never an edit in place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

from huddle_tui.config.team import TeamConfig
from huddle_tui.storage.envelope import Record

OPEN, DONE = "open", "done"


class FollowUpItem(NamedTuple):
    """One follow-up as a list shows it, with where its record lives."""

    id: str
    date: str
    text: str
    kind: str
    owner: str
    state: str
    member: str | None
    visibility: str
    version: int
    standalone: bool
    """Whether it has a concern record of its own (else it sits inside a check-in)."""

    @property
    def is_open(self) -> bool:
        """Whether nobody has closed it yet."""
        return self.state != DONE

    def payload(self, state: str) -> dict[str, Any]:
        """Its concern record's data in the given state (what a new version holds)."""
        out: dict[str, Any] = {"id": self.id, "text": self.text, "kind": self.kind,
                               "followup": {"owner": self.owner, "state": state}}
        if self.member is not None and self.visibility != "anonymous":
            out["member"] = self.member
        return out

    def to_json(self, team: TeamConfig, today: dt.date) -> dict[str, Any]:
        """The follow-up for `--json`, with its age in working days and whether it is overdue."""
        return {"id": self.id, "date": self.date, "text": self.text, "kind": self.kind,
                "owner": self.owner, "state": self.state, "member": self.member,
                "visibility": self.visibility, "version": self.version,
                "age_workdays": age(team, self, today), "overdue": overdue(team, self, today)}


def _item(record: Record, concern: dict[str, Any], member: Any, visibility: str,
          standalone: bool) -> FollowUpItem | None:
    """A follow-up from a concern's data, or None when it has no follow-up."""
    fu = concern.get("followup")
    if not isinstance(fu, dict) or not isinstance(fu.get("owner"), str):
        return None
    return FollowUpItem(str(concern.get("id") or record.id), record.date, str(concern.get("text", "")),
                        str(concern.get("kind", "concern")), fu["owner"], str(fu.get("state", OPEN)),
                        member if isinstance(member, str) else None, visibility, record.version, standalone)


def from_records(records: Iterable[Record], *, private: bool = False) -> list[FollowUpItem]:
    """Every follow-up in these live records; a concern record wins over the same concern in a check-in."""
    embedded: dict[str, FollowUpItem] = {}
    own: dict[str, FollowUpItem] = {}
    for r in records:
        if r.deleted:
            continue
        p = r.payload
        if r.kind == "concern":
            visibility = "private" if private and not p.get("pending") else \
                ("anonymous" if p.get("member") is None or p.get("pending") else "team")
            item = _item(r, {**p, "id": p.get("id") or r.id}, p.get("member"), visibility, True)
            if item is not None:
                own[item.id] = item
        elif r.kind == "checkin" and p.get("visibility") in ("team", "private", "anonymous"):
            for c in p.get("concerns", []):
                if isinstance(c, dict):
                    item = _item(r, c, p.get("member"), str(p.get("visibility")), False)
                    if item is not None:
                        embedded[item.id] = item
    return sorted({**embedded, **own}.values(), key=lambda i: (i.date, i.id))


def age(team: TeamConfig, item: FollowUpItem, today: dt.date) -> int:
    """Working days since the follow-up was raised (0 on its own day)."""
    try:
        day = dt.date.fromisoformat(item.date)
    except ValueError:
        return 0
    count = 0
    while day < today:
        day += dt.timedelta(days=1)
        count += team.is_workday(day)
    return count


def overdue(team: TeamConfig, item: FollowUpItem, today: dt.date) -> bool:
    """Whether an open follow-up is older than the team's limit in working days."""
    return item.is_open and age(team, item, today) > team.followup_days


def find(items: Iterable[FollowUpItem], wanted: str) -> list[FollowUpItem]:
    """Follow-ups whose id is `wanted` or starts with it (ids are long; 6 characters usually do)."""
    w = wanted.strip().lower()
    return [i for i in items if w and i.id.lower().startswith(w)]
