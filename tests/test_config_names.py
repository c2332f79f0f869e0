"""Config from the shared folder names things, never paths; what huddle makes on this machine is 0600/0700.

A teammate can write huddle.toml: its `theme` is a name looked up in the
shipped and the user's themes, and a FIFO where a theme or config file
should be is refused at once, never waited on. Under any umask, the user
config (`huddle trust` rewriting it too), the cache and the data folders
are this user's alone.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from huddle_tui import paths
from huddle_tui.config.team import TeamConfig, load_team_config
from huddle_tui.config.theme_name import theme_name_problem
from huddle_tui.config.user import load_user_config
from huddle_tui.errors import ConfigError
from huddle_tui.tui.themes import load_themes, quick_theme
from tests.conftest import cli

HANG_GUARD_S = 20.0  # far beyond any open(): only a read blocked on a FIFO gets near it


def finishes(fifo: Path, call: Callable[[], Any]) -> Any:
    """Run `call` with a bound: if it hangs (on the FIFO) the test fails, and the FIFO is let go.

    Opening the FIFO's other end gives a blocked reader its end of file, so
    a regression fails this test instead of hanging the suite.
    """
    found: dict[str, Any] = {}

    def run() -> None:
        """Call, keeping the result or the exception."""
        try:
            found["value"] = call()
        except BaseException as exc:  # handed to the test below
            found["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(HANG_GUARD_S)
    if worker.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(HANG_GUARD_S)
        pytest.fail(f"blocked on the FIFO {fifo}")
    if "error" in found:
        raise found["error"]
    return found.get("value")


@pytest.mark.parametrize("name", ["huddle-light", "huddle-okabe-ito", "my theme 2", "nord"])
def test_a_theme_name_is_accepted(name: str) -> None:
    """Plain names, as the shipped themes and the palette have them."""
    assert theme_name_problem(name) is None


@pytest.mark.parametrize("name", ["/absolute/path/evil", "../evil", "themes/evil", "..\\evil", "C:evil",
                                  "~/evil", ".hidden", "", "a" * 65, "evil\n"])
def test_a_path_or_odd_text_is_not_a_theme_name(name: str) -> None:
    """Separators, absolute paths, a home, a drive, dot-names: each refused."""
    assert theme_name_problem(name) is not None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_team_config_theme_that_is_a_path_is_refused_in_one_line(
        team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """`theme = "/abs/evil"` in huddle.toml: every command says so in one line (exit 3), none opens it."""
    assert team.path is not None
    evil = team.path.parent / "evil.toml"
    os.mkfifo(evil)
    text = team.path.read_text("utf-8").replace("[team]\n", f'[team]\ntheme = "{evil.with_suffix("")}"\n')
    team.path.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=r"team\.theme \(line \d+\): expected a theme name .*not a path"):
        load_team_config(team.path)
    code, out, err = finishes(evil, lambda: cli(capsys, "summary", "--config", str(team.path)))
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and "team.theme" in err and "not a path" in err


def test_a_user_config_theme_and_the_flag_are_held_to_the_same_rule(
        team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """config.toml's theme and --theme: a path is one clear line, never a file opened."""
    config = paths.user_config_file()
    config.parent.mkdir(parents=True)
    config.write_text('theme = "../../shared/evil"\n', "utf-8")
    with pytest.raises(ConfigError, match=r"theme .*not a path"):
        load_user_config()
    config.write_text('theme = "huddle-light"\n', "utf-8")
    assert load_user_config().theme == "huddle-light"
    code, _, err = cli(capsys, "--theme", "/tmp/evil", "--config", str(team.path))
    assert code == 2 and err.count("\n") == 1 and "--theme" in err and "not a path" in err


@pytest.fixture
def fifo_theme(tmp_path: Path) -> Iterator[Path]:
    """A themes folder holding a FIFO named evil.toml beside a good theme."""
    folder = tmp_path / "themes"
    folder.mkdir()
    (folder / "mine.toml").write_text('name = "mine"\nprimary = "#123456"\n', "utf-8")
    if not hasattr(os, "mkfifo"):
        pytest.skip("FIFOs are POSIX")
    os.mkfifo(folder / "evil.toml")
    yield folder


def test_a_fifo_in_the_themes_folder_is_skipped_not_waited_on(fifo_theme: Path) -> None:
    """load_themes lists evil.toml as unreadable (not a regular file) and loads the rest."""
    result = finishes(fifo_theme / "evil.toml", lambda: load_themes(fifo_theme))
    assert "mine" in {t.name for t in result.loaded}
    failed = [(Path(src).name, "not a regular file" in why) for src, why in result.failed]
    assert failed == [("evil.toml", True)]
    assert finishes(fifo_theme / "evil.toml", lambda: quick_theme("evil", fifo_theme)) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_place_of_huddle_toml_is_one_line(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A shared folder whose huddle.toml is a FIFO: exit 3 at once, naming the file."""
    fifo = tmp_path / "huddle.toml"
    os.mkfifo(fifo)
    code, _, err = finishes(fifo, lambda: cli(capsys, "summary", "--config", str(fifo)))
    assert code == 3 and "huddle.toml: cannot be read (a FIFO, not a regular file)" in err


def modes_under(root: Path) -> dict[str, int]:
    """Every file and folder under root (root too), by relative path, with its permission bits."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


@pytest.mark.skipif(os.name != "posix", reason="modes are POSIX")
def test_everything_huddle_makes_here_is_private_whatever_the_umask(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Under umask 000: init, a check-in, reads (the cache), `huddle trust` rewriting config.toml, a demo.

    The config, data and cache folders (made by huddle here) hold nothing
    but 0700 folders and 0600 files, except the records of a shared folder
    (the default one and the demo's), which keep what teammates need but
    sit in the 0700 data folder.
    """
    shared = tmp_path / "team"
    before = os.umask(0o000)
    try:
        assert cli(capsys, "init", "--team", "T", "--members", "Ana,Ben,Chen", "--me", "Ana",
                   "--shared", str(shared))[0] == 0
        with (shared / "huddle.toml").open("a", encoding="utf-8") as f:
            f.write('\n[[endpoints]]\nname = "chat"\nurl = "https://hooks.slack.com"\nformat = "slack"\n'
                    'token_env = "HUDDLE_SLACK_HOOK"\n')
        assert cli(capsys, "checkin", "--mood", "4", "--status", "fine")[0] == 0
        assert cli(capsys, "summary")[0] == 0
        assert cli(capsys, "report")[0] == 0
        code, _, err = cli(capsys, "trust", "chat")
        assert code == 0, err
        assert cli(capsys, "demo", "--members", "3", "--years", "0.05", "--no-tui")[0] == 0
    finally:
        os.umask(before)
    assert load_user_config().trusted  # trust did rewrite config.toml
    for root in (paths.config_dir(), paths.data_dir(), paths.cache_dir()):
        found = modes_under(root)
        assert len(found) > 1, root
        for rel, mode in found.items():
            if rel.split(os.sep)[0] in ("demo", "shared") and rel not in ("demo", "shared"):
                continue  # a shared folder's own contents: inside the 0700 data folder
            path = root / rel
            wanted = 0o700 if path.is_dir() else 0o600
            assert mode == wanted, f"{path}: {oct(mode)}"
    assert (paths.cache_dir() / "index").is_dir() and (paths.config_dir() / "config.toml").is_file()
