"""A team in totals mode with one opened day in a real shared folder, for the warm-open figures.

Every member is a machine of its own (its own XDG config, data and cache
folders under the build folder: its signing key, share key, day seeds and
private records), and each one runs the journal as `huddle` does: keys ahead
on the Friday before, three quarters of the members check in on the Monday
(every other one anonymously, three with an anonymous concern), and the
next working day every machine lists and reveals until the day opens. Made
once per size and huddle source into the bench cache (200 members take
minutes), then hard-linked into each run, like the demo histories.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from benchmarks.harness import Bench, _link_or_copy, environment, wait_until_settled

READER = 0  # the member whose machine the figures read from: names(n)[READER]


@dataclass
class TotalsDay:
    """A run's copy of the opened day: its team config, the day, and the reader's environment."""

    config: Path
    records_config: Path  # the same records under a config of anonymous = "records": the summary alone
    day: date
    members: int
    env: dict[str, str]  # the reader's: XDG dirs of its own, over the bench's environment


def names(n: int) -> list[str]:
    """The members' names, M001 … Mnnn."""
    return [f"M{i:03d}" for i in range(1, n + 1)]


def opened_day(bench: Bench, n: int) -> TotalsDay:
    """This run's copy of an `n`-member team whose day two weeks back opened (made once into the cache)."""
    source = _built(bench, n)
    meta = json.loads((source / "built.json").read_text())
    work = bench.work / f"totals-{n}"
    for which in ("shared", "records"):
        shutil.copytree(source / "shared", work / which, copy_function=_link_or_copy)
        (work / which / "huddle.toml").unlink()
    shutil.copytree(source / "reader", work / "reader")  # copies: the reader's files change as it reads
    text = (source / "shared" / "huddle.toml").read_text()
    (work / "shared" / "huddle.toml").write_text(text)
    records = text.replace('anonymous = "totals"', 'anonymous = "records"')
    assert records != text, "the team config no longer says anonymous = \"totals\""
    (work / "records" / "huddle.toml").write_text(records)
    wait_until_settled(work / "shared")
    wait_until_settled(work / "records")
    env = {**bench.env, **_xdg(work / "reader")}
    return TotalsDay(work / "shared" / "huddle.toml", work / "records" / "huddle.toml",
                     date.fromisoformat(meta["day"]), n, env)


def _xdg(home: Path) -> dict[str, str]:
    """One machine's XDG folders under `home`."""
    return {"XDG_CONFIG_HOME": str(home / "xdg-config"), "XDG_DATA_HOME": str(home / "xdg-data"),
            "XDG_CACHE_HOME": str(home / "xdg-cache")}


def _tag() -> str:
    """Names the source the folder was made by (journal, totals, aggregation): a change remakes it."""
    digest = hashlib.sha256()
    import huddle_tui

    root = Path(huddle_tui.__file__).parent
    for path in sorted([root / "journal.py", *(root / "totals").glob("*.py"),
                        *(root / "aggregation").glob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _built(bench: Bench, n: int) -> Path:
    """The cached build of this size, made now if missing."""
    def build(scratch: Path) -> dict[str, object]:
        """The team and its opened day in the scratch folder; the facts kept beside it."""
        return {"members": n, "day": _build(scratch, n).isoformat()}

    return bench.made_once(f"totals-{n}-{_tag()}", "built.json",
                           f"a {n}-member team of totals with one opened day", build)


def _machine(home: Path) -> AbstractContextManager[None]:
    """Be on the machine whose folders are under `home` (the process's environment, restored after)."""
    return environment({**os.environ, **_xdg(home)})


def _build(root: Path, n: int) -> date:
    """Play the team's Friday, Monday and Tuesday into `root` (shared/, homes/NAME/); the Monday."""
    from huddle_tui.config.team import Member, TeamConfig, team_config_to_toml, write_toml
    from huddle_tui.journal import Journal
    from huddle_tui.model.checkin import CheckIn, Concern
    from huddle_tui.totals import steps

    for key in ("HUDDLE_CONFIG_DIR", "HUDDLE_DATA_DIR", "HUDDLE_CACHE_DIR", "HUDDLE_CONFIG"):
        os.environ.pop(key, None)
    steps.AHEAD_DAYS = 4  # keys for the days played only (a fortnight's at 200 members takes minutes)
    today = date.today()
    monday = today - timedelta(days=today.weekday() + 14)  # its week is over: the week's view is kept
    shared = root / "shared"
    shared.mkdir(parents=True)
    team = TeamConfig("Totals bench", tuple(Member(m) for m in names(n)), shared.resolve(),
                      (shared / "huddle.toml").resolve(), anonymous="totals", timezone="UTC")
    write_toml(shared / "huddle.toml", team_config_to_toml(team))
    homes = {m: root / "homes" / m for m in names(n)}

    def run(member: str, day: date) -> Journal:
        """`member`'s journal, its clock at 09:00 UTC on `day` (call inside `_machine`)."""
        at = datetime.combine(day, clock(9), UTC)
        return Journal(team, me=member, now=lambda: at, durable=False)

    for _ in range(2):  # share keys, then day keys held by everyone
        for m in names(n):
            with _machine(homes[m]):
                run(m, monday - timedelta(days=3)).settle_totals()
    for i, m in enumerate(names(n)[:n * 3 // 4]):
        anonymous = i % 2 == 0
        concerns = (Concern.new(f"concern {i}", "concern", "anonymous"),) if i < 6 and anonymous else ()
        with _machine(homes[m]):
            run(m, monday).save_checkin(CheckIn(monday.isoformat(), i % 5 + 1, m, "", concerns,
                                                visibility="anonymous" if anonymous else "team"))
    after = team.next_workday(monday)
    for _ in range(3):  # the list, the counts' reveals, the figures' reveals
        for m in names(n):
            with _machine(homes[m]):
                run(m, after).settle_totals()
    reader = names(n)[READER]
    shutil.copytree(homes[reader], root / "reader")
    config = root / "reader" / "xdg-config" / "huddle-tui"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(f'me = "{reader}"\n')
    shutil.rmtree(root / "homes")
    return monday
