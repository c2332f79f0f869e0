"""Anonymous answers as a team's total over one shared folder, with each member on their own machine.

Each home has its own HOME, config, data and cache directories (its own
keys, seeds and private records); the shared folder is the only thing they
have in common. Moods given anonymously reach the folder only inside each
member's masked contribution, and `huddle summary` shows the day's total
once the day's cut-off passed and the team's machines ran.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from huddle_tui.model.checkin import CheckIn
from huddle_tui.storage import envelope
from huddle_tui.totals.records import CONTRIBUTION
from tests.totalskit import NAMES, Homes


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Homes:
    """Five members whose machines published their keys a week ahead."""
    made = Homes(tmp_path, monkeypatch)
    made.keys_ahead()
    return made


def test_three_anonymous_moods_show_as_a_mean_and_never_as_records(homes: Homes) -> None:
    """Three anonymous moods: the summary shows their mean (3 ≥ K), no distribution (fewer than 5)."""
    for name, visibility, mood in (("Ana", "anonymous", 1), ("Ben", "anonymous", 2), ("Chen", "anonymous", 4),
                                   ("Dara", "team", 5), ("Emeka", "private", 3)):
        homes.check_in(name, visibility, mood)
    raw = [envelope.decode(p.read_bytes()) for p in homes.files()]
    assert not [r for r in raw if r.kind == "checkin" and r.payload.get("visibility") == "anonymous"]
    assert sorted(r.payload["member"] for r in raw if r.kind == CONTRIBUTION) == NAMES  # one each
    assert homes.totals("Dara")["state"] == "opening"  # the cut-off passed, nothing revealed yet
    homes.morning_after()
    for name in NAMES:  # every home opens the same total
        totals = homes.totals(name)
        assert (totals["state"], totals["answers"], totals["mean"], totals["distribution"]) == \
            ("open", 3, round(7 / 3, 2), None)
    text = homes.summary("Ben", fmt="text")
    assert "Anonymous moods, as the team's total of 3: mean 2.3" in text


def test_five_anonymous_moods_show_their_distribution(homes: Homes) -> None:
    """Five anonymous answers reach K_DISTRIBUTION: the distribution opens beside the mean."""
    for name, mood in zip(NAMES, (1, 1, 3, 4, 5), strict=True):
        homes.check_in(name, "anonymous", mood)
    homes.morning_after()
    totals = homes.totals("Emeka")
    assert totals["distribution"] == {"1": 2, "3": 1, "4": 1, "5": 1}
    assert totals["mean"] == 2.8
    assert "Anonymous moods, as the team's total of 5: 5 great ×1" in homes.summary("Ana", fmt="text")


def test_fewer_than_three_anonymous_answers_open_no_figure(homes: Homes) -> None:
    """Two anonymous moods among five check-ins: the counts open, no mood figure does."""
    for name, visibility in zip(NAMES, ("anonymous", "anonymous", "team", "team", "private"), strict=True):
        homes.check_in(name, visibility, 2)
    homes.morning_after()
    totals = homes.totals("Chen")
    assert (totals["state"], totals["mean"], totals["distribution"]) == ("too few", None, None)


def test_a_day_opens_without_the_members_who_never_came_back(homes: Homes) -> None:
    """Emeka checks in but his machine never runs again: t = 4 of 5 machines open the day."""
    for name, mood in zip(NAMES, (2, 3, 4, 5, 1), strict=True):
        homes.check_in(name, "anonymous", mood)
    homes.morning_after(names=NAMES[:4])
    assert homes.totals("Ana")["mean"] == 3.0


def test_a_member_who_did_not_check_in_is_taken_out_of_the_total(homes: Homes) -> None:
    """Emeka never checks in: his masks are rebuilt from the team's shares and taken out."""
    for name, mood in zip(NAMES[:4], (2, 3, 4, 5), strict=True):
        homes.check_in(name, "anonymous", mood)
    homes.morning_after()
    totals = homes.totals("Dara")
    assert (totals["state"], totals["answers"], totals["mean"]) == ("open", 4, 3.5)


def test_changing_your_mind_before_the_cut_off_replaces_your_contribution(homes: Homes) -> None:
    """Ana gives 1 anonymously, then switches to named 4: the total holds the others only."""
    for name, mood in zip(NAMES, (1, 2, 3, 4, 5), strict=True):
        homes.check_in(name, "anonymous", mood)
    homes.check_in("Ana", "team", 4)
    homes.morning_after()
    totals = homes.totals("Ben")
    assert (totals["answers"], totals["mean"], totals["distribution"]) == (4, 3.5, None)


def test_the_setting_is_read_and_other_values_are_refused(tmp_path: Path) -> None:
    """`[privacy] anonymous` is records (the default) or totals; anything else is one clear line."""
    from huddle_tui.config.team import load_team_config
    from huddle_tui.errors import HuddleError

    path = tmp_path / "huddle.toml"
    base = '[team]\nname = "T"\n[[members]]\nname = "Ana"\n'
    path.write_text(base)
    assert not load_team_config(path).in_totals
    path.write_text(base + '[privacy]\nanonymous = "totals"\n')
    assert load_team_config(path).in_totals
    path.write_text(base + '[privacy]\nanonymous = "sometimes"\n')
    with pytest.raises(HuddleError, match=r"privacy\.anonymous"):
        load_team_config(path)


def test_aggregation_records_of_the_wrong_shape_are_set_aside() -> None:
    """Each new kind names its member and carries its fields with their types (storage/validate.py)."""
    from huddle_tui.storage.validate import problem

    assert problem("contribution", {"day": "2026-11-23"}) == "invalid contribution: member must be a name"
    assert problem("reveal", {"member": "Ana", "day": "2026-11-23", "list": "x", "seeds": "", "masks": [],
                              "texts": ""}) == "invalid reveal: masks must be an object"
    assert problem("daylist", {"member": "Ana", "day": "soon", "keys": "k", "holders": [],
                               "survivors": {}}) == "invalid daylist: day must be a date YYYY-MM-DD"
    assert problem("sharekey", {"member": "Ana", "key": "k"}) is None


def test_showing_the_totals_writes_nothing(homes: Homes) -> None:
    """`huddle summary` opens the day from the files and leaves the folder byte- and stat-for-stat alone."""
    for name, mood in zip(NAMES, (1, 2, 3, 4, 5), strict=True):
        homes.check_in(name, "anonymous", mood)
    homes.morning_after()

    def snapshot() -> dict[str, tuple[bytes, int, int]]:
        """Every file under the shared folder: its bytes, mtime and inode."""
        return {str(p): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
                for p in homes.team.shared_dir.rglob("*") if p.is_file()}

    before = snapshot()
    for fmt in ("json", "text", "markdown"):
        assert homes.summary("Chen", fmt=fmt)
    assert homes.totals("Chen")["state"] == "open"
    assert snapshot() == before


def test_short_days_open_as_their_weeks_pooled_total(homes: Homes) -> None:
    """Two anonymous moods on Monday, one on Tuesday: no day shows a figure; the week's pool does.

    The pool opens only once the week is over, with masks that cancel over
    the two days together: neither day's own figure is ever revealed.
    """
    from datetime import timedelta

    from tests.totalskit import DAY

    homes.keys_ahead(DAY)  # Tuesday's keys too
    tuesday = DAY + timedelta(days=1)
    for name, visibility, mood in (("Ana", "anonymous", 1), ("Ben", "anonymous", 2), ("Chen", "team", 4),
                                   ("Dara", "team", 4), ("Emeka", "team", 5)):
        homes.check_in(name, visibility, mood)
    for name, visibility, mood in (("Ana", "team", 3), ("Ben", "team", 3), ("Chen", "anonymous", 5),
                                   ("Dara", "team", 4), ("Emeka", "private", 2)):
        homes.check_in(name, visibility, mood, day=tuesday)
    homes.morning_after(day=tuesday)  # Wednesday: both days open their counts, nothing more
    monday = homes.totals("Ana")
    assert (monday["state"], monday["answers"], monday["week"]) == ("too few", 2, None)
    homes.morning_after(rounds=2, day=DAY + timedelta(days=6))  # the next Monday: the week is over
    for name in NAMES:
        for day in (DAY, tuesday):
            totals = homes.totals(name, day)
            assert totals["state"] == "too few" and totals["mean"] is None
            assert totals["week"] == {"days": 2, "answers": 3, "mean": round(8 / 3, 2), "distribution": None}
    assert "this week's total of 3 over 2 short days: mean 2.7" in homes.summary("Dara", fmt="text")


def test_after_the_day_opened_the_checkin_command_says_the_answer_stays(homes: Homes) -> None:
    """Ana switches to named after the cut-off: saved by name, and told her anonymous mood stays in."""
    import contextlib
    import io

    from huddle_tui.cli import main
    from tests.totalskit import DAY

    homes.check_in("Ana", "anonymous", 2)
    homes.use("Ana")
    (homes.root / "homes" / "Ana" / "config").mkdir(parents=True, exist_ok=True)
    (homes.root / "homes" / "Ana" / "config" / "config.toml").write_text('me = "Ana"\n')
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["--config", str(homes.team.path), "checkin", "--member", "Ana", "--mood", "4",
                     "--named", "--date", DAY.isoformat()])
    assert code == 0
    assert f"gave anonymously on {DAY.isoformat()} stays in it as you gave it" in out.getvalue()


def test_a_kept_total_is_opened_again_once_a_record_it_depends_on_changes(homes: Homes) -> None:
    """The opened total is kept while its folders are settled; a later placeholder change is seen at once.

    Emeka switches to named after the day opened: his mood stays in the
    total, but five answers now face four placeholders, so it is flagged.
    """
    import os
    import time

    from tests.totalskit import DAY

    for name, mood in zip(NAMES, (1, 2, 3, 4, 5), strict=True):
        homes.check_in(name, "anonymous", mood)
    homes.morning_after()
    past = time.time() - 60  # settled: older than any clock tick a writer could share
    for path in homes.team.shared_dir.rglob("*"):
        os.utime(path, (past, past), follow_symlinks=False)
    assert homes.totals("Ana")["state"] == "open"  # opened, and kept
    assert homes.totals("Ana")["state"] == "open"  # from what was kept
    saved = homes.journal("Emeka", homes.team.next_workday(DAY)).save_checkin(
        CheckIn(DAY.isoformat(), 5, "Emeka", visibility="team"))
    assert saved.in_totals == "kept"
    assert homes.totals("Ana")["state"] == "flagged"


def test_a_kept_total_is_shown_by_a_fresh_process_without_the_aggregation_core(homes: Homes) -> None:
    """Once a day opened and was kept, showing it again costs no unmasking: the core is not even imported.

    This is what makes `huddle summary` of an opened day cost what it did before totals (issue 26:
    warm no slower than the day's summary; benchmarks/bench_aggregation.py measures it).
    """
    import os
    import subprocess
    import sys
    import time

    from huddle_tui.storage.keyring import keyring_path
    from tests.totalskit import DAY

    for name, mood in zip(NAMES, (1, 2, 3, 4, 5), strict=True):
        homes.check_in(name, "anonymous", mood)
    homes.morning_after()
    homes.use("Ana")
    past = time.time() - 60  # settled: nothing written lately, so a kept answer holds
    for path in [*homes.team.shared_dir.rglob("*"), keyring_path(homes.team.shared_dir)]:
        os.utime(path, (past, past), follow_symlinks=False)
    code = ("import sys\n"
            "from datetime import date\n"
            "from pathlib import Path\n"
            "from huddle_tui.config.team import load_team_config\n"
            "from huddle_tui.journal import open_journal\n"
            f"journal = open_journal(load_team_config(Path({str(homes.team.path)!r})), me='Ana')\n"
            f"view = journal.totals_view(date.fromisoformat({DAY.isoformat()!r}))\n"
            "print(view.state, 'huddle_tui.aggregation.unmask' in sys.modules, 'nacl' in sys.modules)\n")
    shown = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env=dict(os.environ)).stdout.split() for _ in range(2)]
    assert shown == [["open", "True", "True"], ["open", "False", "False"]]  # opened and kept; then kept
