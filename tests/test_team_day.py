"""The team's day: one date and one speaking order for every machine, whatever its TZ.

Machines are simulated two ways: in this process by setting TZ and calling
time.tzset() (what a process started with that TZ sees), and as real
`huddle` processes, each with its own home and TZ, on one shared folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huddle_tui.config.team import TeamConfig, load_team_config, team_config_to_toml, with_members, write_toml
from huddle_tui.journal import Journal
from huddle_tui.model.teamday import day_span, local_zone_name, team_today
from huddle_tui.rules.rotation import plan_for
from tests.conftest import cli, run_huddle

pytestmark = pytest.mark.skipif(not hasattr(time, "tzset"),
                                reason="TZ is read at start-up only where tzset exists")

# From UTC−12 to UTC+14, with half- and quarter-hour offsets and DST north, south and by half an hour.
ZONES = ("Etc/GMT+12", "Pacific/Pago_Pago", "Pacific/Honolulu", "Pacific/Marquesas", "America/Anchorage",
         "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
         "America/St_Johns", "America/Santiago", "America/Sao_Paulo", "Atlantic/Azores", "UTC",
         "Europe/London", "Europe/Berlin", "Africa/Cairo", "Asia/Tehran", "Asia/Kolkata", "Asia/Kathmandu",
         "Asia/Shanghai", "Australia/Adelaide", "Australia/Lord_Howe", "Pacific/Auckland",
         "Pacific/Chatham", "Pacific/Tongatapu", "Pacific/Kiritimati")
NAMES = ["Ana", "Ben", "Chen", "Dara", "Emeka", "Fatima"]


@cache
def transitions() -> tuple[datetime, ...]:
    """Every UTC-offset change of ZONES in 2026 and 2027, to the second (found by bisection)."""
    found = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for name in ZONES:
        zone = ZoneInfo(name)
        for day in range(730):
            a, b = start + timedelta(days=day), start + timedelta(days=day + 1)
            if a.astimezone(zone).utcoffset() == b.astimezone(zone).utcoffset():
                continue
            while (b - a).total_seconds() > 1:
                mid = a + (b - a) / 2
                same = mid.astimezone(zone).utcoffset() == a.astimezone(zone).utcoffset()
                a, b = (mid, b) if same else (a, mid)
            found.append(b)
    return tuple(found)


def test_the_zones_cover_utc_minus_12_to_plus_14_and_their_dst_changes() -> None:
    """The property below draws from the whole range, and from moments next to DST changes."""
    moment = datetime(2026, 6, 1, tzinfo=UTC)
    offsets = {moment.astimezone(ZoneInfo(z)).utcoffset() for z in ZONES}
    assert min(offsets) == timedelta(hours=-12) and max(offsets) == timedelta(hours=14)  # type: ignore[type-var]
    assert len(transitions()) > 20


@contextmanager
def machine(zone: str) -> Iterator[None]:
    """This process as a machine whose TZ is `zone` (restored after)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def a_team(zone: str | None, folder: Path = Path("unused")) -> TeamConfig:
    """A six-person team in `zone` (None: a config written before teams had one)."""
    return with_members(TeamConfig(name="Platform", members=(), shared_dir=folder, timezone=zone), NAMES)


instants = st.one_of(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
        lambda d: d.replace(tzinfo=UTC)),
    st.builds(lambda t, s: t + timedelta(seconds=s), st.sampled_from(transitions()),
              st.integers(min_value=-3 * 3600, max_value=3 * 3600)),
)


@settings(max_examples=150, deadline=None)
@given(team_zone=st.sampled_from(ZONES), instant=instants,
       machines=st.lists(st.sampled_from(ZONES), min_size=2, max_size=4, unique=True))
def test_every_machine_gets_the_same_date_and_order_for_the_same_instant(
        team_zone: str, instant: datetime, machines: list[str]) -> None:
    """Whatever each machine's TZ: one date (the team zone's), one speaking order, one record date."""
    team = a_team(team_zone)
    seen = set()
    for zone in machines:
        with machine(zone):
            day = team.today(instant)
            order = plan_for(team, day, [], []).order
            dated = Journal(team, now=lambda: instant).date_now()
        seen.add((day, order, dated))
    assert len(seen) == 1
    (day, _, dated), = seen
    assert dated == day
    start, end = day_span(day, team_zone)
    assert start <= instant < end  # the instant falls within that date as the team's clock counts it
    assert timedelta(hours=22) <= end - start <= timedelta(hours=26)


@settings(max_examples=60, deadline=None)
@given(instant=instants, zone=st.sampled_from(ZONES))
def test_a_team_without_a_time_zone_keeps_each_machines_own_date(instant: datetime, zone: str) -> None:
    """Existing configs are unaffected: with no [team] timezone, today is the machine's local date."""
    with machine(zone):
        assert a_team(None).today(instant) == instant.astimezone(ZoneInfo(zone)).date()
        assert team_today(None, instant) == datetime.fromtimestamp(instant.timestamp()).date()


def test_the_machines_zone_is_found_from_tz_or_the_localtime_link(tmp_path: Path) -> None:
    """`huddle init` writes the creator's zone: TZ first (a name or a zoneinfo path), then /etc/localtime."""
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/Pacific/Auckland")
    assert local_zone_name({"TZ": "America/Los_Angeles"}, str(link)) == "America/Los_Angeles"
    assert local_zone_name({"TZ": ":/usr/share/zoneinfo/Asia/Kolkata"}, str(link)) == "Asia/Kolkata"
    assert local_zone_name({"TZ": "CET-1CEST"}, str(link)) == "Pacific/Auckland"  # a POSIX rule names none
    assert local_zone_name({}, str(tmp_path / "missing")) in ("UTC", *_etc_timezone())


def _etc_timezone() -> tuple[str, ...]:
    """What /etc/timezone says, where it exists."""
    try:
        return (Path("/etc/timezone").read_text().strip(),)
    except OSError:
        return ()


@pytest.mark.parametrize(("key", "line", "said"), [
    ("team.timezone", 'timezone = "Mars/Olympus_Mons"', "unknown time zone 'Mars/Olympus_Mons'"),
    ("team.timezone", 'timezone = "../../etc/passwd"', "not a time zone"),
    ("team.huddle_at", 'huddle_at = "9.30"', 'expected a 24-hour time like "09:30"'),
    ("team.huddle_at", 'huddle_at = "24:00"', 'expected a 24-hour time like "09:30"'),
])
def test_a_bad_zone_or_huddle_time_is_one_line_naming_the_key(shared: Path, key: str, line: str,
                                                              said: str) -> None:
    """A typo in the team's zone stops every command with one line, never a traceback."""
    (shared / "huddle.toml").write_text(f'[team]\nname = "P"\n{line}\n\n[[members]]\nname = "Ana"\n')
    done = run_huddle("next", "--config", str(shared / "huddle.toml"))
    assert done.returncode == 3
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1
    assert key in done.stderr and said in done.stderr


def test_a_members_bad_zone_names_the_member_key(shared: Path) -> None:
    """The members' zones are checked the same way."""
    (shared / "huddle.toml").write_text('[team]\nname = "P"\n\n[[members]]\nname = "Ana"\n'
                                        'timezone = "Europe/Lisboa"\n')
    done = run_huddle("next", "--config", str(shared / "huddle.toml"))
    assert done.returncode == 3 and "members[0].timezone" in done.stderr


# ---------------------------------------------------------------- three homes around the date line


HOMES = {"Ana": "Pacific/Auckland", "Ben": "UTC", "Chen": "America/Los_Angeles"}
SEAMS = ("HUDDLE_CONFIG_DIR", "HUDDLE_DATA_DIR", "HUDDLE_CACHE_DIR", "HUDDLE_CONFIG", "TZ", "HUDDLE_NOW")


def at_home(tmp_path: Path, who: str, at: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`huddle ARGS` on `who`'s machine: its own HOME and XDG dirs, its TZ, at the instant `at`."""
    home = tmp_path / who
    env = {k: v for k, v in os.environ.items() if k not in SEAMS}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local"),
               XDG_CACHE_HOME=str(home / ".cache"), TZ=HOMES[who], HUDDLE_NOW=at)
    return subprocess.run([sys.executable, "-m", "huddle_tui", *args], capture_output=True, text=True,
                          env=env, cwd=home, timeout=120)


def test_three_homes_around_the_date_line_see_one_date_one_order_one_summary(tmp_path: Path) -> None:
    """Auckland, UTC and Los Angeles check in without --date as Auckland's clock passes midnight.

    At 11:05–11:15 UTC on 7 December, Auckland's machines say the 8th and the
    others the 7th. The team is in London: everyone's check-in is the 7th's,
    and every machine shows the same plan and the same summary of three.
    """
    shared = tmp_path / "shared"
    for who in HOMES:
        (tmp_path / who).mkdir()
    done = at_home(tmp_path, "Ana", "2026-12-07T11:00:00Z", "init", "--team", "Platform", "--members",
                   ",".join(NAMES), "--shared", str(shared), "--me", "Ana", "--timezone", "Europe/London",
                   "--huddle-at", "10:30")
    assert done.returncode == 0, done.stderr
    for who in ("Ben", "Chen"):
        done = at_home(tmp_path, who, "2026-12-07T11:00:00Z", "init", "--shared", str(shared), "--me", who)
        assert done.returncode == 0, done.stderr
    for minute, (who, zone) in zip((5, 10, 15), HOMES.items(), strict=True):
        at = f"2026-12-07T11:{minute:02d}:00Z"
        own = datetime.fromisoformat(at).astimezone(ZoneInfo(zone)).date()
        assert own == (date(2026, 12, 8) if who == "Ana" else date(2026, 12, 7))  # around the date line
        done = at_home(tmp_path, who, at, "checkin", "--mood", "4", "--status", f"{who} here", "--json")
        assert done.returncode == 0, done.stderr
        assert '"date":"2026-12-07"' in done.stdout
    plans, summaries = set(), set()
    for who in HOMES:
        done = at_home(tmp_path, who, "2026-12-07T11:20:00Z", "next", "--json")
        assert done.returncode == 0, done.stderr
        plans.add(done.stdout)
        done = at_home(tmp_path, who, "2026-12-07T11:20:00Z", "summary", "--format", "json")
        assert done.returncode == 0, done.stderr
        summaries.add(done.stdout)
    assert len(plans) == 1 and len(summaries) == 1
    plan = json.loads(plans.pop())
    assert plan["date"] == "2026-12-07" and sorted(plan["order"]) == sorted(NAMES)
    summary = summaries.pop()
    assert all(f"{who} here" in summary for who in HOMES)
    # Nobody's check-in went under their own machine's date: the 8th has none.
    done = at_home(tmp_path, "Ana", "2026-12-07T11:20:00Z", "summary", "--date", "tomorrow",
                   "--format", "json")
    assert done.returncode == 0 and not any(f"{who} here" in done.stdout for who in HOMES)
    team = load_team_config(shared / "huddle.toml")
    assert team.timezone == "Europe/London" and team.huddle_at == "10:30"


def test_a_config_written_back_keeps_its_zone_and_huddle_time(shared: Path) -> None:
    """team_config_to_toml writes what load_team_config reads."""
    team = a_team("Pacific/Chatham", shared)._replace(huddle_at="07:45")
    write_toml(shared / "huddle.toml", team_config_to_toml(team))
    back = load_team_config(shared / "huddle.toml")
    assert (back.timezone, back.huddle_at) == ("Pacific/Chatham", "07:45")


def test_next_shows_the_huddle_on_each_members_own_clock(shared: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """With a huddle time, `huddle next` says when it is for those whose clock reads otherwise."""
    (shared / "huddle.toml").write_text(
        '[team]\nname = "P"\ntimezone = "Europe/Berlin"\nhuddle_at = "09:30"\n\n'
        '[[members]]\nname = "Ana"\ntimezone = "Pacific/Auckland"\n\n'
        '[[members]]\nname = "Ben"\ntimezone = "Europe/Paris"\n\n'
        '[[members]]\nname = "Chen"\ntimezone = "America/Los_Angeles"\n')
    monkeypatch.setenv("HUDDLE_NOW", "2026-12-07T13:11:00Z")
    code, out, err = cli(capsys, "next", "--config", str(shared / "huddle.toml"))
    assert code == 0, err
    line = next(x for x in out.splitlines() if x.startswith("Huddle at 09:30 Europe/Berlin time:"))
    assert "Ana · 21:30 in Auckland" in line and "Chen · 00:30 in Los Angeles" in line
    assert "Ben" not in line  # Paris reads 09:30 too
    code, out, err = cli(capsys, "next", "--json", "--config", str(shared / "huddle.toml"))
    assert json.loads(out)["huddle_at"] == "2026-12-07T09:30:00+01:00"
