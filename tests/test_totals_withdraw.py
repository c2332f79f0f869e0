"""Taking back an anonymous concern given to the day's totals beside a named check-in.

Only its author's machine knows such a concern (it went out masked, and
every later version of the day's contribution carries it again). Before
the day's cut-off, `huddle checkin --no-concerns` (or a new `--concern`,
which replaces the day's concerns of its kind) writes one new contribution
of the same size without it and deletes the copy kept here, so the opened
day never holds it; after the cut-off it stays in the day's totals, and
the command says so with one line, exit 2 and nothing written.
"""

from __future__ import annotations

import contextlib
import io
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest

from huddle_tui import journal as journal_module
from huddle_tui.cli import main
from huddle_tui.commands import common
from huddle_tui.model.checkin import Concern
from huddle_tui.storage import envelope
from huddle_tui.totals.records import CONTRIBUTION
from tests.totalskit import DAY, NAMES, Homes, distinct_slots


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Homes:
    """Five members whose machines published their keys; Ana's user config names her."""
    made = Homes(tmp_path, monkeypatch)
    made.keys_ahead()
    config = tmp_path / "homes" / "Ana" / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('me = "Ana"\n')
    return made


def anonymous(text: str, kind: str = "concern") -> tuple[Concern, ...]:
    """One anonymous concern."""
    return (Concern.new(text, kind, "anonymous"),)


def checkin_cli(homes: Homes, day: Any, *args: str) -> tuple[int, str, str]:
    """`huddle checkin` on Ana's machine with its clock at 09:00 UTC on `day`: exit code, stdout, stderr."""
    at = datetime.combine(day, time(9), UTC)
    opened = journal_module.open_journal

    def at_that_time(team: Any, **options: Any) -> journal_module.Journal:
        """The command's journal, its clock the test's (the check-in's day is past on the real one)."""
        return opened(team, now=lambda: at, durable=False, **options)

    homes.use("Ana")
    out, err = io.StringIO(), io.StringIO()
    with homes.monkeypatch.context() as patch, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        patch.setattr(common, "open_journal", at_that_time)
        code = main(["--config", str(homes.team.path), "checkin", "--date", DAY.isoformat(), *args])
    return code, out.getvalue(), err.getvalue()


def contributions(homes: Homes) -> list[tuple[str, int, int]]:
    """Every contribution file in the shared folder: its member, version and size."""
    out = []
    for path in homes.files():
        if path.parent.parent.name == CONTRIBUTION:
            record = envelope.decode(path.read_bytes())
            out.append((str(record.payload["member"]), record.version, path.stat().st_size))
    return sorted(out)


def test_a_concern_taken_back_before_the_cut_off_is_not_in_the_opened_day(
        homes: Homes, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ana, by name, gave "I might quit" anonymously; `--no-concerns` takes it out; the day opens without."""
    distinct_slots(monkeypatch)
    homes.check_in("Ana", "team", 4, concerns=anonymous("I might quit"))
    for name, words in (("Ben", "b"), ("Chen", "c"), ("Dara", "d")):
        homes.check_in(name, "anonymous", 3, concerns=anonymous(words))
    homes.check_in("Emeka", "team", 4)
    before = contributions(homes)
    assert homes.journal("Ana", DAY).given_to_totals("Ana", DAY.isoformat())
    code, out, err = checkin_cli(homes, DAY, "--no-concerns")
    assert code == 0, err
    assert "Taken out of the day's anonymous totals: your concern \"I might quit\"" in out
    after = contributions(homes)
    assert [c for c in after if c[0] != "Ana"] == [c for c in before if c[0] != "Ana"]
    ana = [c for c in after if c[0] == "Ana"]
    assert [version for _, version, _ in ana] == [1, 2]  # one more version of her one contribution
    assert ana[0][2] == ana[1][2]  # of the same size
    assert homes.journal("Ana", DAY).given_to_totals("Ana", DAY.isoformat()) == ()  # the copy here is gone
    homes.morning_after()
    for name in ("Ana", "Emeka"):
        assert [t["text"] for t in homes.totals(name)["texts"]] == ["b", "c", "d"]
    raw = b"".join(p.read_bytes() for p in homes.files())
    assert b"might quit" not in raw


def test_after_the_cut_off_taking_it_back_is_refused_and_nothing_is_written(
        homes: Homes, monkeypatch: pytest.MonkeyPatch) -> None:
    """The day opened: `--no-concerns` and a new `--concern` each get one line, exit 2, the folder as is."""
    distinct_slots(monkeypatch)
    homes.check_in("Ana", "team", 4, concerns=anonymous("I might quit"))
    for name, words in (("Ben", "b"), ("Chen", "c")):
        homes.check_in(name, "anonymous", 3, concerns=anonymous(words))
    for name in NAMES[3:]:
        homes.check_in(name, "team", 4)
    homes.morning_after()
    assert [t["text"] for t in homes.totals("Dara")["texts"]] == ["I might quit", "b", "c"]

    def snapshot() -> dict[str, tuple[bytes, int, int]]:
        """Every file under the shared folder: its bytes, mtime and inode."""
        return {str(p): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
                for p in homes.team.shared_dir.rglob("*") if p.is_file()}

    before = snapshot()
    after_cut_off = homes.team.next_workday(DAY)
    for args in (("--no-concerns",), ("--concern", "something else")):
        code, out, err = checkin_cli(homes, after_cut_off, *args)
        assert (code, out) == (2, "")
        assert err.strip().splitlines() == [
            f"huddle: your anonymous concern of {DAY} stays in the day's totals as you gave it "
            "(the day opened); nothing saved"]
        assert snapshot() == before
        assert len(homes.journal("Ana", after_cut_off).given_to_totals("Ana", DAY.isoformat())) == 1
