"""The team's day: one date for every machine, whatever each one's `TZ` says.

A team spread from Auckland to Los Angeles is on two calendar dates for
much of the day. If each machine took its own local date, one member's
check-in would be filed under the 8th while the others' summary of the 7th
showed them missing, and two machines would compute two speaking orders.
So "today" is the date in the team's time zone (`[team] timezone`), the
same instant giving the same date everywhere. A team config without a
time zone keeps each machine's local date, as before.

Every "today" in huddle comes from `team_today`. Stdlib only: zoneinfo is
imported when a zone is actually named, so a team without one pays nothing.

HUDDLE_NOW (an ISO 8601 instant with its offset) stands in for the clock
here: the test suite's seam for machines at chosen moments, like
HUDDLE_*_DIR for their folders (paths.py).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from huddle_tui.errors import ConfigError

UTC_NAME = "UTC"
ZONEINFO_DIRS = ("/usr/share/zoneinfo/", "/usr/lib/zoneinfo/", "/usr/share/lib/zoneinfo/")


def team_today(zone: str | None, instant: datetime | None = None) -> date:
    """The team's date at `instant` (now when None): the date in `zone`, or this machine's without one.

    `instant` must be aware (a naive one would mean a different moment on
    each machine).
    """
    moment = now() if instant is None else instant
    if moment.tzinfo is None:
        raise ValueError("team_today needs an aware instant")
    return moment.astimezone(zone_of(zone)).date()


def now() -> datetime:
    """The current instant (aware), or the one HUDDLE_NOW names."""
    forced = os.environ.get("HUDDLE_NOW")
    if not forced:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(forced)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ConfigError(f"HUDDLE_NOW: expected an instant like 2026-12-07T13:11:00+00:00, got {forced!r}")
    return moment


def zone_of(name: str | None) -> tzinfo | None:
    """The tzinfo for an IANA name; None (this machine's local time, for astimezone) without a name."""
    if not name:
        return None
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def zone_problem(name: str) -> str | None:
    """Why `name` is not an IANA time zone this machine knows (None when it is one)."""
    if not name or name != name.strip():
        return f"expected an IANA time zone name like \"Europe/Berlin\", got {name!r}"
    try:
        zone_of(name)
    except (ValueError, OSError, ImportError) as exc:  # ZoneInfoNotFoundError is a KeyError
        return f"not a time zone: {name!r} ({type(exc).__name__})"
    except KeyError:
        return f"unknown time zone {name!r} (expected an IANA name like \"Europe/Berlin\")"
    return None


def parse_clock(text: str) -> time | None:
    """A wall-clock time written "HH:MM" (24-hour), or None when it is not one."""
    hours, sep, minutes = text.partition(":")
    if not sep or len(minutes) != 2 or not 1 <= len(hours) <= 2 or not (hours + minutes).isdigit():
        return None
    h, m = int(hours), int(minutes)
    return time(h, m) if h < 24 and m < 60 else None


def at_clock(day: date, clock: time, zone: str | None) -> datetime:
    """The aware instant when `zone`'s (or this machine's) clock reads `clock` on `day`.

    A time skipped by a DST change is taken as the moment after the change's
    gap (fold 0, normalised through UTC); a repeated one as its first occurrence.
    """
    local = datetime.combine(day, clock)
    tz = zone_of(zone)
    if tz is None:
        return local.astimezone()  # naive means this machine's local time here
    return local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


def day_span(day: date, zone: str | None) -> tuple[datetime, datetime]:
    """The instants `day` starts and ends (exclusive) in `zone` (23, 24 or 25 hours apart)."""
    return at_clock(day, time(0), zone), at_clock(day + timedelta(days=1), time(0), zone)


def clock_in(instant: datetime, zone: str | None) -> str:
    """`instant` as "HH:MM" on `zone`'s clock (this machine's without one)."""
    return instant.astimezone(zone_of(zone)).strftime("%H:%M")


def place_of(zone: str) -> str:
    """A zone's place for people: "Pacific/Auckland" → "Auckland", "America/Los_Angeles" → "Los Angeles"."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def local_zone_name(environ: dict[str, str] | None = None, localtime: str = "/etc/localtime") -> str:
    """This machine's IANA zone name, for `huddle init`: from TZ, the /etc/localtime link, or "UTC".

    TZ may be an IANA name (":Europe/Berlin" too) or a path into a zoneinfo
    folder. A POSIX rule like "CET-1CEST" names no zone and is skipped.
    """
    env = os.environ if environ is None else environ
    candidates = []
    tz = env.get("TZ", "").lstrip(":")
    if tz:
        candidates.append(_after_zoneinfo(tz) or tz)
    try:
        candidates.append(_after_zoneinfo(os.path.realpath(localtime)) or "")
    except OSError:
        pass
    try:
        with open("/etc/timezone", encoding="utf-8") as f:  # Debian's name of the local zone
            candidates.append(f.read().strip())
    except (OSError, UnicodeDecodeError):
        pass
    for name in candidates:
        if name and zone_problem(name) is None:
            return name
    return UTC_NAME


def _after_zoneinfo(path: str) -> str | None:
    """The zone name in a path into a zoneinfo folder ("/usr/share/zoneinfo/Europe/Berlin" → that)."""
    for prefix in ZONEINFO_DIRS:
        if path.startswith(prefix):
            return path[len(prefix):].removeprefix("posix/").removeprefix("right/")
    marker = "/zoneinfo/"
    if marker in path:
        return path.split(marker, 1)[1].removeprefix("posix/").removeprefix("right/")
    return None
