"""`huddle prompt`: a segment before the team's huddle, nothing in quiet hours or with nothing to do.

Run as a shell prompt runs it: a real `huddle` process, at an instant set
with HUDDLE_NOW. The team huddles at 09:30 in Berlin; Ana, at this terminal,
is in Auckland (21:30 there) and keeps quiet hours from 19:00 to 08:00.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from huddle_tui import nudge, paths
from tests.conftest import run_huddle

TEAM = """[team]
name = "Platform"
timezone = "Europe/Berlin"
huddle_at = "09:30"

[[members]]
name = "Ana"
timezone = "Pacific/Auckland"

[[members]]
name = "Ben"
timezone = "Europe/Berlin"

[[members]]
name = "Chen"
"""
# Monday 7 December 2026. The team's day starts at 23:00 UTC on the 6th (midnight in Berlin);
# the huddle starts at 08:30 UTC. Ana's quiet hours (Auckland, UTC+13): 06:00 to 19:00 UTC.
BEFORE_QUIET = "2026-12-07T05:30:00Z"  # 18:30 in Auckland
IN_QUIET = "2026-12-07T07:00:00Z"  # 20:00 in Auckland, before the huddle
AFTER_HUDDLE = "2026-12-07T08:45:00Z"
SEGMENT = "huddle 21:30 · {n}/3 in · you: not yet\n"


@pytest.fixture
def ana(shared: Path, isolated_dirs: Path) -> Path:
    """The team's config and Ana's user config (with quiet hours) on this machine."""
    (shared / "huddle.toml").write_text(TEAM, encoding="utf-8")
    config = isolated_dirs / "config"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(f'me = "Ana"\nshared = "{shared}"\nquiet_hours = "19:00-08:00"\n',
                                        encoding="utf-8")
    return shared


def prompt(at: str) -> str:
    """What `huddle prompt` prints at `at` (it always exits 0 and says nothing on stderr)."""
    done = run_huddle("prompt", env={"HUDDLE_NOW": at})
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout


def test_it_shows_the_segment_before_the_huddle_and_nothing_in_quiet_hours(ana: Path) -> None:
    """Before the huddle and outside quiet hours, the segment; in quiet hours or after it, nothing."""
    assert prompt(BEFORE_QUIET) == SEGMENT.format(n=0)
    assert prompt(IN_QUIET) == ""
    assert prompt(AFTER_HUDDLE) == ""


def test_it_counts_check_ins_never_says_a_mood_and_stops_once_you_are_in(ana: Path) -> None:
    """Ben's check-in (a low mood) counts as one in; the segment says nothing of it; Ana's ends it."""
    done = run_huddle("checkin", "--member", "Ben", "--mood", "1", "--status", "rough night",
                      env={"HUDDLE_NOW": BEFORE_QUIET})
    assert done.returncode == 0, done.stderr
    shown = prompt(BEFORE_QUIET)
    assert shown == SEGMENT.format(n=1)
    assert not any(word in shown.lower() for word in ("mood", "struggling", "low", "1 ", "rough"))
    done = run_huddle("checkin", "--mood", "4", env={"HUDDLE_NOW": BEFORE_QUIET})
    assert done.returncode == 0, done.stderr
    assert prompt(BEFORE_QUIET) == ""


def settle(*files: Path) -> None:
    """Date everything the answer is read from an hour back: nothing written lately, so it may be kept."""
    back = time.time() - 3600
    for file in files:
        for folder, _, names in os.walk(file) if file.is_dir() else [(str(file.parent), [], [file.name])]:
            for name in [*names, "."]:
                path = os.path.join(folder, name)
                if os.path.exists(path):
                    os.utime(path, (back, back))


def test_a_warm_prompt_reads_the_kept_answer_and_loads_nothing_heavy(ana: Path, isolated_dirs: Path) -> None:
    """Once kept, the answer comes from one small file: no CLI, argparse, sqlite3, nacl, textual or httpx.

    And a teammate's check-in (a new file in the day's folder) is seen at once.
    """
    done = run_huddle("checkin", "--member", "Chen", "--mood", "3", env={"HUDDLE_NOW": BEFORE_QUIET})
    assert done.returncode == 0, done.stderr
    settle(ana, isolated_dirs)
    assert prompt(BEFORE_QUIET) == SEGMENT.format(n=1)
    # That first read acknowledged the roster in this machine's keyring: kept from the next read on.
    settle(isolated_dirs)
    assert prompt(BEFORE_QUIET) == SEGMENT.format(n=1)  # computed, and kept
    assert (isolated_dirs / "cache" / nudge.ANSWER_NAME).is_file()
    warm = imports("-m", "huddle_tui", "prompt")
    assert warm.stdout == SEGMENT.format(n=1)
    loaded = modules(warm) - modules(imports("-c", "pass"))  # an editable install loads pathlib at start-up
    assert "huddle_tui.nudge" in loaded
    assert not loaded & {"huddle_tui.cli", "argparse", "typing", "sqlite3", "nacl", "textual", "httpx",
                         "pathlib", "huddle_tui.journal", "zoneinfo"}
    assert prompt(IN_QUIET) == ""  # the kept answer knows the quiet hours too
    done = run_huddle("checkin", "--member", "Ben", "--mood", "5", env={"HUDDLE_NOW": BEFORE_QUIET})
    assert done.returncode == 0, done.stderr
    assert prompt(BEFORE_QUIET) == SEGMENT.format(n=2)


def imports(*args: str) -> subprocess.CompletedProcess[str]:
    """Python run with -X importtime, at BEFORE_QUIET."""
    return subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True, text=True,
                          env={**os.environ, "HUDDLE_NOW": BEFORE_QUIET}, timeout=60)


def modules(done: subprocess.CompletedProcess[str]) -> set[str]:
    """The modules a run with -X importtime imported."""
    return {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}


def test_a_team_without_a_huddle_time_or_a_me_gets_nothing(shared: Path, isolated_dirs: Path) -> None:
    """The segment needs the team's huddle time and who you are; without them the prompt stays empty."""
    (shared / "huddle.toml").write_text(TEAM.replace('huddle_at = "09:30"\n', ""), encoding="utf-8")
    (isolated_dirs / "config").mkdir(parents=True)
    (isolated_dirs / "config" / "config.toml").write_text(f'me = "Ana"\nshared = "{shared}"\n')
    assert prompt(BEFORE_QUIET) == ""
    (shared / "huddle.toml").write_text(TEAM, encoding="utf-8")
    (isolated_dirs / "config" / "config.toml").write_text(f'shared = "{shared}"\n')
    assert prompt(BEFORE_QUIET) == ""


def test_bad_quiet_hours_are_one_line_naming_the_key(ana: Path, isolated_dirs: Path) -> None:
    """A span that is not one is a config error, as any other key."""
    (isolated_dirs / "config" / "config.toml").write_text('quiet_hours = "19-8"\n')
    done = run_huddle("prompt")
    assert done.returncode == 3 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "quiet_hours" in done.stderr


@pytest.mark.parametrize("env", [{}, {"XDG_CACHE_HOME": "/tmp/xdg-cache"}, {"XDG_CACHE_HOME": "relative"},
                                 {"HUDDLE_CACHE_DIR": "~/elsewhere"}])
def test_the_fast_path_finds_the_cache_where_paths_puts_it(monkeypatch: pytest.MonkeyPatch,
                                                           env: dict[str, str]) -> None:
    """nudge.py finds the user cache dir without pathlib: the same folder as paths.cache_dir()."""
    monkeypatch.delenv("HUDDLE_CACHE_DIR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if sys.platform.startswith("linux"):
        assert nudge.cache_dir_text() == str(paths.cache_dir())
    assert nudge.APP_NAME == paths.APP_NAME


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_lines_put_the_segment_in_ps1_once(ana: Path) -> None:
    """`eval "$(huddle prompt --init bash)"`, twice as a re-read .bashrc would: PS1 shows the segment once."""
    lines = run_huddle("prompt", "--init", "bash").stdout
    script = f'PS1="$ "\neval {shlex_quote(lines)}\neval {shlex_quote(lines)}\nprintf "%s" "${{PS1@P}}"'
    for at, shown in ((BEFORE_QUIET, SEGMENT.format(n=0).strip() + " $ "), (IN_QUIET, "$ ")):
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60,
                              env={**os.environ, "HUDDLE_NOW": at})
        assert done.stdout == shown, done.stderr


@pytest.mark.parametrize("shell", ["zsh", "starship", "tmux"])
def test_each_shells_lines_run_huddle_prompt(shell: str) -> None:
    """zsh, starship and tmux get their own lines, each running the prompt (Python itself, or the script)."""
    done = run_huddle("prompt", "--init", shell)
    assert done.returncode == 0 and done.stderr == ""
    assert "huddle_tui.launch" in done.stdout or "huddle prompt" in done.stdout
    if shell == "starship":
        import tomllib

        module = tomllib.loads(done.stdout)["custom"]["huddle"]
        assert module["command"].startswith(sys.executable) and module["when"] is True


def shlex_quote(text: str) -> str:
    """`text` quoted for a POSIX shell."""
    import shlex

    return shlex.quote(text)
