"""The team config: the shared `huddle.toml` every teammate reads, as typed records.

Both are read with `tomllib` and written with `tomli-w`. The types are
NamedTuples rather than dataclasses: `dataclasses` costs every scripted
command ~8 ms of imports, more than the rest of its start-up. Anything unexpected —
bad TOML, an unknown key, a wrong type, a duplicate member, a value out of
range — raises ConfigError with one line naming the file and the key.
"""

from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NamedTuple

from huddle_tui.config.circles import CirclesConfig, read_circles, read_group
from huddle_tui.config.pairs import PairsConfig, read_interests, read_pairs
from huddle_tui.config.theme_name import read_theme
from huddle_tui.config.toml_reader import TomlReader, kept_parse, kind_of, read_text
from huddle_tui.errors import ConfigError
from huddle_tui.model.checkin import Visibility
from huddle_tui.model.teamday import at_clock, parse_clock, team_today, zone_problem
from huddle_tui.text import normal_name

SPEAKING_ORDERS = ("random", "roster", "fair")
FACILITATOR_POSITIONS = ("first", "last")
ROTATIONS = ("least-recent", "fewest")
DEFAULT_WINDOW_WEEKS = 4
DEFAULT_MIN_TURN_S = 20.0
MOOD_PRIVACY = ("named", "anonymous")
ANONYMOUS_MODES = ("records", "totals")
"""How anonymous answers travel: "records" (each its own record, released later; docs/privacy.md) or
"totals" (only as masked contributions whose team total alone opens; docs/aggregation.md)."""
ENDPOINT_FORMATS = ("records", "slack", "teams", "mattermost", "discord")
MIN_ROUND_MINUTES = 1.0
MAX_ROUND_MINUTES = 60.0
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WORKDAYS = (0, 1, 2, 3, 4)
FIRST_WEEK_DAYS = 7
DEFAULT_COVERAGE_TARGET = 0.6


class AwayRange(NamedTuple):
    """Dates (inclusive) a member is away and so not expected to check in."""

    start: date
    end: date

    def covers(self, day: date) -> bool:
        """Tell whether the member is away on `day`."""
        return self.start <= day <= self.end


class Member(NamedTuple):
    """One person on the roster."""

    name: str
    handle: str | None = None
    timezone: str | None = None
    joined: date | None = None
    away: tuple[AwayRange, ...] = ()
    pairs: bool = False  # opted in to buddy pairs and virtual coffee
    interests: tuple[str, ...] = ()
    circles: bool = False  # opted in to peer circles
    group: str | None = None  # a role, a project, a site: circles mix people across groups

    def is_away(self, day: date) -> bool:
        """Tell whether an away range covers `day`."""
        return any(r.covers(day) for r in self.away)

    def has_joined(self, day: date) -> bool:
        """Tell whether the member is on the team on `day`."""
        return self.joined is None or self.joined <= day

    def is_expected(self, day: date) -> bool:
        """Tell whether a check-in is expected from this member on `day`."""
        return self.has_joined(day) and not self.is_away(day)


class Endpoint(NamedTuple):
    """An HTTP target: the records API or a chat webhook."""

    url: str
    format: str = "records"
    token_env: str | None = None
    token_file: Path | None = None
    ca_bundle: Path | None = None
    name: str | None = None
    team: str | None = None


SUPPORT_KINDS = ("eap", "peer", "crisis", "other")


class SupportResource(NamedTuple):
    """Where a person can get help: an EAP line, a peer supporter (a member), a crisis line."""

    name: str
    contact: str
    kind: str = "other"


class TeamConfig(NamedTuple):
    """What every teammate's machine reads from the shared folder's huddle.toml."""

    name: str
    members: tuple[Member, ...]
    shared_dir: Path
    path: Path | None = None
    round_minutes: float = 5.0
    speaking_order: str = "random"
    facilitator_position: str = "first"
    auto_advance: bool = False
    rotation: str = "least-recent"
    rotation_window_weeks: int = DEFAULT_WINDOW_WEEKS
    min_turn_seconds: float = DEFAULT_MIN_TURN_S
    mood_privacy: str = "named"
    anonymous: str = "records"
    theme: str | None = None
    endpoints: tuple[Endpoint, ...] = ()
    support: tuple[SupportResource, ...] = ()
    workdays: tuple[int, ...] = DEFAULT_WORKDAYS
    holidays: frozenset[date] = frozenset()
    holiday_country: str | None = None
    holiday_region: str | None = None
    followup_days: int = 2
    measures: frozenset[str] = frozenset()
    pairs: PairsConfig = PairsConfig()
    circles: CirclesConfig = CirclesConfig()
    target_weekly_coverage: float = DEFAULT_COVERAGE_TARGET
    timezone: str | None = None  # IANA name: the zone whose date is the team's "today" (None: each machine's)
    huddle_at: str | None = None  # "HH:MM" on the team's clock, when the huddle usually starts

    def today(self, instant: datetime | None = None) -> date:
        """The team's date now (or at `instant`): the same on every machine when the team names a zone."""
        return team_today(self.timezone, instant)

    @property
    def huddle_clock(self) -> time | None:
        """When the huddle starts on the team's clock, if the config says."""
        return parse_clock(self.huddle_at) if self.huddle_at else None

    def huddle_instant(self, day: date) -> datetime | None:
        """The instant `day`'s huddle starts (on the team's clock), if the config says when."""
        clock = self.huddle_clock
        return None if clock is None else at_clock(day, clock, self.timezone)

    def member(self, name: str) -> Member | None:
        """Find a member by name or handle, ignoring case (names are kept in NFC)."""
        wanted = normal_name(name)[0].casefold()
        for m in self.members:
            if m.name.casefold() == wanted or (m.handle and m.handle.casefold() == wanted):
                return m
        return None

    @property
    def round_seconds(self) -> float:
        """The pulse round's length in seconds."""
        return self.round_minutes * 60.0

    def is_workday(self, day: date) -> bool:
        """Whether the team huddles on `day`: one of its working days and not a holiday."""
        if day.weekday() not in self.workdays or day in self.holidays:
            return False
        return self.holiday_country is None or day not in _country_holidays(
            self.holiday_country, self.holiday_region, day.year)

    def expected(self, day: date) -> list[Member]:
        """Who is expected to check in (and speak) on `day`, in roster order: nobody on a day off."""
        if not self.is_workday(day):
            return []
        return [m for m in self.members if m.is_expected(day)]

    def expects(self, name: str, day: date) -> bool:
        """Whether the member of that name is expected on `day` (on the roster, present, a workday)."""
        member = self.member(name)
        return member is not None and self.is_workday(day) and member.is_expected(day)

    def can_facilitate(self, member: Member, day: date) -> bool:
        """Facilitators are expected that day (a working day) and past their first week on the team."""
        if not self.is_workday(day) or not member.is_expected(day):
            return False
        return member.joined is None or (day - member.joined).days >= FIRST_WEEK_DAYS

    def next_workday(self, day: date) -> date:
        """The first working day after `day` (a year on at most, for a team with none)."""
        for ahead in range(1, 367):
            later = date.fromordinal(day.toordinal() + ahead)
            if self.is_workday(later):
                return later
        return date.fromordinal(day.toordinal() + 1)

    def default_visibility(self) -> Visibility:
        """How a mood is shared when the person does not say: the team's privacy setting."""
        return "anonymous" if self.mood_privacy == "anonymous" else "team"

    @property
    def in_totals(self) -> bool:
        """Whether anonymous answers travel only as masked contributions to the team's totals."""
        return self.anonymous == "totals"

    def with_away(self, extra: dict[str, list[AwayRange]]) -> "TeamConfig":
        """The roster with away ranges recorded in the shared folder added to the config's own."""
        if not extra:
            return self
        return self._replace(members=tuple(
            m._replace(away=m.away + tuple(extra.get(m.name.casefold(), ()))) for m in self.members))


def _country_holidays(country: str, region: str | None, year: int) -> frozenset[date]:
    """A country's (and region's) public holidays in one year, from the `holidays` package."""
    key = (country, region, year)
    found = _HOLIDAYS.get(key)
    if found is None:
        try:
            import holidays
        except ImportError:
            raise ConfigError("team.holiday_country needs the holidays package: "
                              "pip install 'huddle-tui[holidays]'") from None
        try:
            found = frozenset(holidays.country_holidays(country, subdiv=region, years=year))
        except NotImplementedError:
            raise ConfigError(f"team.holiday_country: no holidays known for {country!r}") from None
        _HOLIDAYS[key] = found
    return found


_HOLIDAYS: dict[tuple[str, str | None, int], frozenset[date]] = {}


# ---------------------------------------------------------------- reading


TEAM_KEYS = {"team", "members", "privacy", "endpoints", "support", "measures", "pairs", "circles"}
TEAM_TABLE_KEYS = {"name", "round_minutes", "speaking_order", "facilitator_position",
                   "auto_advance", "theme", "workdays", "holidays", "holiday_country", "holiday_region",
                   "rotation", "rotation_window_weeks", "min_turn_seconds",
                   "followup_days", "target_weekly_coverage", "timezone", "huddle_at"}
MEMBER_KEYS = {"name", "handle", "timezone", "joined", "away", "pairs", "interests", "circles",
               "group"}
AWAY_KEYS = {"from", "to"}
ENDPOINT_KEYS = {"url", "format", "token_env", "token_file", "ca_bundle", "name", "team"}
SUPPORT_KEYS = {"name", "contact", "kind"}
MEASURE_KEYS = {"sisq", "who5"}


def load_team_config(path: Path) -> TeamConfig:
    """Read a team's huddle.toml; the folder it sits in is the shared folder (kept checked: kept_team)."""
    from huddle_tui.config import kept_team

    return kept_team.load(path, read_text(path), _check_team_config,
                          (TeamConfig, Member, AwayRange, Endpoint, SupportResource, PairsConfig,
                           CirclesConfig))


def _check_team_config(path: Path, text: str) -> TeamConfig:
    """Check a huddle.toml's text and convert it, every problem one ConfigError line."""
    data = kept_parse(path, text)
    r = TomlReader(path, text)
    r.table(data, "", TEAM_KEYS)
    team = r.table(data.get("team", {}), "team", TEAM_TABLE_KEYS)
    name = r.need_str(team, "name", "team")
    minutes = team.get("round_minutes", 5)
    if isinstance(minutes, bool) or not isinstance(minutes, int | float):
        raise r.fail("team.round_minutes", f"expected a number of minutes, got {kind_of(minutes)}")
    if not MIN_ROUND_MINUTES <= minutes <= MAX_ROUND_MINUTES:
        raise r.fail("team.round_minutes",
                     f"expected {MIN_ROUND_MINUTES:g} to {MAX_ROUND_MINUTES:g} minutes, got {minutes}")
    privacy = r.table(data.get("privacy", {}), "privacy", {"mood", "anonymous"})
    members = tuple(_read_member(r, m, i) for i, m in enumerate(r.array(data, "members", "")))
    seen: dict[str, int] = {}
    for i, m in enumerate(members):
        for label in filter(None, (m.name, m.handle)):
            key = label.casefold()
            if key in seen and seen[key] != i:
                raise r.fail(f"members[{i}].name", f"duplicate member {label!r}")
            seen[key] = i
    endpoints = tuple(_read_endpoint(r, e, i, path.parent)
                      for i, e in enumerate(r.array(data, "endpoints", "")))
    named: dict[str, int] = {}
    for i, e in enumerate(endpoints):
        # One name, one outbox queue and one approval: a second "api" could ride on the first's.
        key = e.name.casefold() if e.name else f"{e.format} {e.url}"
        if key in named:
            raise r.fail(f"endpoints[{i}].name" if e.name else f"endpoints[{i}].url",
                         f"same {'name' if e.name else 'format and URL'} as endpoints[{named[key]}]")
        named[key] = i
    support = read_support(r, data)
    measures = r.table(data.get("measures", {}), "measures", MEASURE_KEYS)
    followup_days = team.get("followup_days", 2)
    if followup_days.__class__ is not int or not 0 <= followup_days <= 60:
        raise r.fail("team.followup_days",
                     f"expected a whole number of working days 0-60, got {followup_days!r}")
    return TeamConfig(
        workdays=_read_workdays(r, team),
        holidays=frozenset(_read_holidays(r, team)),
        holiday_country=r.str_(team, "holiday_country", "team"),
        holiday_region=r.str_(team, "holiday_region", "team"),
        name=name,
        members=members,
        shared_dir=path.parent.resolve(),
        path=path.resolve(),
        round_minutes=float(minutes),
        speaking_order=r.str_(team, "speaking_order", "team", "random", SPEAKING_ORDERS) or "random",
        facilitator_position=r.str_(team, "facilitator_position", "team", "first",
                                    FACILITATOR_POSITIONS) or "first",
        auto_advance=r.bool_(team, "auto_advance", "team", False),
        rotation=r.str_(team, "rotation", "team", "least-recent", ROTATIONS) or "least-recent",
        rotation_window_weeks=int(_number(r, team, "rotation_window_weeks", DEFAULT_WINDOW_WEEKS, 1, 52,
                                          whole=True)),
        min_turn_seconds=_number(r, team, "min_turn_seconds", DEFAULT_MIN_TURN_S, 0, 600),
        mood_privacy=r.str_(privacy, "mood", "privacy", "named", MOOD_PRIVACY) or "named",
        anonymous=r.str_(privacy, "anonymous", "privacy", "records", ANONYMOUS_MODES) or "records",
        theme=read_theme(r, team, "team"),
        endpoints=endpoints,
        support=support,
        followup_days=followup_days,
        measures=frozenset(k for k in sorted(MEASURE_KEYS) if r.bool_(measures, k, "measures", False)),
        pairs=read_pairs(r, data),
        circles=read_circles(r, data),
        target_weekly_coverage=_read_share(r, team, "target_weekly_coverage", DEFAULT_COVERAGE_TARGET),
        timezone=read_zone(r, team, "timezone", "team"),
        huddle_at=_read_clock(r, team, "huddle_at"),
    )


def read_zone(r: TomlReader, table: Mapping[str, Any], key: str, where: str) -> str | None:
    """An optional IANA time zone name, or one line naming the key when this machine does not know it."""
    name = r.str_(table, key, where)
    if name is None:
        return None
    problem = zone_problem(name)
    if problem:
        raise r.fail(f"{where}.{key}" if where else key, problem)
    return name


def _read_clock(r: TomlReader, team: Mapping[str, Any], key: str) -> str | None:
    """An optional "HH:MM" time of day in the team table, kept as written (normalised to two digits)."""
    text = r.str_(team, key, "team")
    if text is None:
        return None
    clock = parse_clock(text.strip())
    if clock is None:
        raise r.fail(f"team.{key}", f'expected a 24-hour time like "09:30", got {text!r}')
    return clock.strftime("%H:%M")


def read_support(r: TomlReader, data: Mapping[str, Any]) -> tuple[SupportResource, ...]:
    """The [[support]] resources of a team or user config: name, contact and kind."""
    return tuple(
        SupportResource(r.need_str(s, "name", f"support[{i}]"), r.need_str(s, "contact", f"support[{i}]"),
                        r.str_(s, "kind", f"support[{i}]", "other", SUPPORT_KINDS) or "other")
        for i, s in enumerate(r.table(x, f"support[{n}]", SUPPORT_KEYS)
                              for n, x in enumerate(r.array(data, "support", "")))
    )


def _read_share(r: TomlReader, team: Mapping[str, Any], key: str, default: float) -> float:
    """A share from 0 to 1 (a target), or one line naming the key."""
    value = team.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise r.fail(f"team.{key}", f"expected a share from 0 to 1 (e.g. 0.6), got {value!r}")
    return float(value)


def _number(r: TomlReader, team: Mapping[str, Any], key: str, default: float, low: float, high: float,
            *, whole: bool = False) -> float:
    """An optional number in the team table, within [low, high] (a whole one when `whole`)."""
    value = team.get(key, default)
    wrong_kind = not isinstance(value, int) if whole else not isinstance(value, int | float)
    if isinstance(value, bool) or wrong_kind:
        raise r.fail(f"team.{key}", f"expected a {'whole ' if whole else ''}number, got {kind_of(value)}")
    if not low <= value <= high:
        raise r.fail(f"team.{key}", f"expected {low:g} to {high:g}, got {value}")
    return float(value)


def _read_workdays(r: TomlReader, team: Mapping[str, Any]) -> tuple[int, ...]:
    """team.workdays: day names like "mon", default Monday to Friday."""
    raw = team.get("workdays")
    if raw is None:
        return DEFAULT_WORKDAYS
    if not isinstance(raw, list) or not all(isinstance(d, str) for d in raw):
        raise r.fail("team.workdays", f'expected a list of day names like ["mon", "tue"], got {kind_of(raw)}')
    days = []
    for name in raw:
        key = name.strip().lower()[:3]
        if key not in WEEKDAYS:
            raise r.fail("team.workdays", f"not a day of the week: {name!r} (mon … sun)")
        days.append(WEEKDAYS.index(key))
    if not days:
        raise r.fail("team.workdays", "a team needs at least one working day")
    return tuple(sorted(set(days)))


def _read_holidays(r: TomlReader, team: Mapping[str, Any]) -> list[date]:
    """team.holidays: a list of dates when nobody is expected."""
    raw = team.get("holidays", [])
    if not isinstance(raw, list) or not all(isinstance(d, date) and not isinstance(d, datetime)
                                             for d in raw):
        raise r.fail("team.holidays", "expected a list of dates like [2026-12-25, 2026-12-26]")
    return list(raw)


def _read_member(r: TomlReader, raw: Any, i: int) -> Member:
    """Read one [[members]] entry."""
    where = f"members[{i}]"
    m = r.table(raw, where, MEMBER_KEYS)
    name = _identity(r, r.need_str(m, "name", where), f"{where}.name")
    if len(name) > 80:
        raise r.fail(f"{where}.name", "names are at most 80 characters")
    handle = r.str_(m, "handle", where)
    away = []
    for j, span in enumerate(r.array(m, "away", where)):
        w = f"{where}.away[{j}]"
        r.table(span, w, AWAY_KEYS)
        start, end = r.date_(span, "from", w), r.date_(span, "to", w)
        if start is None or end is None:
            raise r.fail(w, "expected both from and to dates")
        if end < start:
            raise r.fail(w, f"ends ({end}) before it starts ({start})")
        away.append(AwayRange(start, end))
    return Member(name=name, handle=_identity(r, handle, f"{where}.handle") if handle else None,
                  timezone=read_zone(r, m, "timezone", where), joined=r.date_(m, "joined", where),
                  away=tuple(away), pairs=r.bool_(m, "pairs", where, False),
                  interests=read_interests(r, m, where), circles=r.bool_(m, "circles", where, False),
                  group=read_group(r, m, where))


def _identity(r: TomlReader, value: str, key: str) -> str:
    """A name or handle in NFC; an invisible or bidi character would let one pass for another."""
    text, problem = normal_name(value)
    if problem:
        raise r.fail(key, problem)
    return text


def _read_endpoint(r: TomlReader, raw: Any, i: int, base: Path) -> Endpoint:
    """Read one [[endpoints]] entry; relative file paths are relative to the config."""
    where = f"endpoints[{i}]"
    e = r.table(raw, where, ENDPOINT_KEYS)
    url = r.need_str(e, "url", where)
    if not url.startswith(("https://", "http://")):
        raise r.fail(f"{where}.url", f"expected an http:// or https:// URL, got {url!r}")
    if "@" in url.split("/", 3)[2]:
        raise r.fail(f"{where}.url", "credentials do not belong in a URL; use token_env or token_file")
    token_file = r.str_(e, "token_file", where)
    ca_bundle = r.str_(e, "ca_bundle", where)
    return Endpoint(
        url=url.rstrip("/"),
        format=r.str_(e, "format", where, "records", ENDPOINT_FORMATS) or "records",
        token_env=r.str_(e, "token_env", where),
        token_file=(base / token_file) if token_file else None,
        ca_bundle=(base / ca_bundle) if ca_bundle else None,
        name=r.str_(e, "name", where),
        team=r.str_(e, "team", where),
    )


# ---------------------------------------------------------------- writing


def team_config_to_toml(cfg: TeamConfig) -> dict[str, Any]:
    """Turn a TeamConfig into the TOML document `load_team_config` reads back."""
    team: dict[str, Any] = {
        "name": cfg.name,
        "round_minutes": int(cfg.round_minutes) if cfg.round_minutes.is_integer() else cfg.round_minutes,
        "speaking_order": cfg.speaking_order,
        "facilitator_position": cfg.facilitator_position,
        "auto_advance": cfg.auto_advance,
    }
    if cfg.rotation != "least-recent":
        team["rotation"] = cfg.rotation
    if cfg.rotation_window_weeks != DEFAULT_WINDOW_WEEKS:
        team["rotation_window_weeks"] = cfg.rotation_window_weeks
    if cfg.min_turn_seconds != DEFAULT_MIN_TURN_S:
        team["min_turn_seconds"] = cfg.min_turn_seconds
    if cfg.theme:
        team["theme"] = cfg.theme
    if cfg.workdays != DEFAULT_WORKDAYS:
        team["workdays"] = [WEEKDAYS[d] for d in cfg.workdays]
    if cfg.holidays:
        team["holidays"] = sorted(cfg.holidays)
    if cfg.holiday_country:
        team["holiday_country"] = cfg.holiday_country
    if cfg.holiday_region:
        team["holiday_region"] = cfg.holiday_region
    if cfg.target_weekly_coverage != DEFAULT_COVERAGE_TARGET:
        team["target_weekly_coverage"] = cfg.target_weekly_coverage
    if cfg.timezone:
        team["timezone"] = cfg.timezone
    if cfg.huddle_at:
        team["huddle_at"] = cfg.huddle_at
    doc: dict[str, Any] = {"team": team, "privacy": {"mood": cfg.mood_privacy}}
    if cfg.anonymous != "records":
        doc["privacy"]["anonymous"] = cfg.anonymous
    doc["members"] = [_member_to_toml(m) for m in cfg.members]
    if cfg.endpoints:
        doc["endpoints"] = [_drop_none({
            "url": e.url, "format": e.format, "token_env": e.token_env,
            "token_file": str(e.token_file) if e.token_file else None,
            "ca_bundle": str(e.ca_bundle) if e.ca_bundle else None, "name": e.name,
            "team": e.team,
        }) for e in cfg.endpoints]
    if cfg.pairs != PairsConfig():
        doc["pairs"] = cfg.pairs.to_toml()
    if cfg.circles != CirclesConfig():
        doc["circles"] = cfg.circles.to_toml()
    if cfg.support:
        doc["support"] = [{"name": s.name, "contact": s.contact, "kind": s.kind} for s in cfg.support]
    if cfg.measures:
        doc["measures"] = {k: True for k in sorted(cfg.measures)}
    if cfg.followup_days != 2:
        team["followup_days"] = cfg.followup_days
    return doc


def _member_to_toml(m: Member) -> dict[str, Any]:
    """One [[members]] entry, leaving out what is not set."""
    out = _drop_none({"name": m.name, "handle": m.handle, "timezone": m.timezone, "joined": m.joined})
    if m.pairs:
        out["pairs"] = True
    if m.interests:
        out["interests"] = list(m.interests)
    if m.circles:
        out["circles"] = True
    if m.group is not None:
        out["group"] = m.group
    if m.away:
        out["away"] = [{"from": a.start, "to": a.end} for a in m.away]
    return out


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    """Leave out unset values: TOML has no null."""
    return {k: v for k, v in d.items() if v is not None}


def write_toml(path: Path, doc: dict[str, Any], *, private: bool = False) -> None:
    """Write a TOML document atomically, so a crash never leaves half a config.

    A `private` one (the user config) is this user's alone: 0600 in a 0700 folder.
    """
    import tomli_w

    from huddle_tui.storage.fileio import PRIVATE_FILE, make_private_dir, write_atomic

    # Lists of tables ([[members]], [[endpoints]], …) are written as blocks, as the README
    # shows them, however short: tomli-w would fold short ones into one inline line.
    blocks = {k: v for k, v in doc.items()
              if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)}
    parts = [tomli_w.dumps({k: v for k, v in doc.items() if k not in blocks})]
    for key, tables in blocks.items():
        parts += [f"\n[[{key}]]\n{tomli_w.dumps(table)}" for table in tables]
    if private:
        make_private_dir(path.parent)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, "".join(parts).encode("utf-8"), mode=PRIVATE_FILE if private else 0o666)


def with_anonymous(path: Path, mode: str) -> tuple[TeamConfig, str]:
    """The team at `path` switched to anonymous answers as `mode`, and its huddle.toml's new text.

    Only the `[privacy] anonymous` line changes (added when missing), so the
    file keeps its comments and layout; the new text is read back and must
    be the same team in every other respect, else a ConfigError asks for
    the change by hand.
    """
    import re

    text = read_text(path)
    old = _check_team_config(path, text)
    line = f'anonymous = "{mode}"'
    header = re.search(r"(?m)^[ \t]*\[privacy\][ \t]*(#.*)?$", text)
    if header is None:
        new = text + ("" if text.endswith("\n") or not text else "\n") + f"\n[privacy]\n{line}\n"
    else:
        table = re.search(r"(?m)^[ \t]*\[", text[header.end():])
        end = header.end() + (table.start() if table else len(text) - header.end())
        body = text[header.end():end]
        found = re.search(r"(?m)^[ \t]*anonymous[ \t]*=.*$", body)
        body = body[:found.start()] + line + body[found.end():] if found else f"\n{line}{body}"
        new = text[:header.end()] + body + text[end:]
    try:
        switched = _check_team_config(path, new)
    except ConfigError:
        switched = None
    if switched is None or switched != old._replace(anonymous=mode):
        raise ConfigError(f"{path}: cannot change [privacy] anonymous here without touching the rest; "
                          f'set it by hand: [privacy] {line}')
    return switched, new


def with_members(cfg: TeamConfig, names: list[str]) -> TeamConfig:
    """Return a copy of `cfg` with a roster made of plain names."""
    return cfg._replace(members=tuple(Member(n) for n in names))

