"""The core knows nothing of Textual, and scripted commands load neither textual nor httpx."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle_tui.config.team import TeamConfig

SRC = Path(__file__).resolve().parent.parent / "src" / "huddle_tui"
UI_ONLY = ("textual", "rich")


def imported_modules(path: Path) -> set[str]:
    """Top-level package names a module imports anywhere in its body."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def core_modules() -> list[Path]:
    """Every module outside the tui package."""
    return [p for p in SRC.rglob("*.py") if "tui" not in p.relative_to(SRC).parts]


def test_core_modules_never_import_textual() -> None:
    """Config, records, store, rotation, insights, sync …: plain Python."""
    offenders = {str(p.relative_to(SRC)): sorted(imported_modules(p) & set(UI_ONLY))
                 for p in core_modules()}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_itself_would_catch_an_import(tmp_path: Path) -> None:
    """The scan sees imports nested in functions too."""
    fake = tmp_path / "m.py"
    fake.write_text("def f():\n    from textual.app import App\n")
    assert "textual" in imported_modules(fake)


@pytest.mark.parametrize("argv", [
    ["checkin", "--member", "Ana", "--mood", "4"],
    ["next", "--json"],
    ["summary", "--json"],
    ["export"],
    ["pairs", "--json"],
    ["pairs", "met", "--member", "Ana", "--date", "2026-11-23"],
    ["circle", "--json"],
    ["debrief", "--event", "Launch v2", "--json"],
])
def test_scripted_commands_load_no_ui_or_http(team: TeamConfig, argv: list[str], isolated_dirs: Path) -> None:
    """Run the command in a fresh interpreter and list which heavy modules got imported."""
    if argv[0] == "circle" and team.path is not None:  # Ana, at this terminal, in a circle of five
        team.path.write_text(team.path.read_text().replace("[[members]]\n", "[[members]]\ncircles = true\n"),
                             encoding="utf-8")
        (isolated_dirs / "config").mkdir(parents=True, exist_ok=True)
        (isolated_dirs / "config" / "config.toml").write_text('me = "Ana"\n', encoding="utf-8")
    if argv[0] == "pairs" and team.path is not None:  # two opted in: a round is made with networkx
        team.path.write_text(team.path.read_text().replace('name = "Ana"', 'name = "Ana"\npairs = true')
                             .replace('name = "Ben"', 'name = "Ben"\npairs = true'), encoding="utf-8")
    code = (
        "import sys, io, contextlib\n"
        "from huddle_tui.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): rc = main({argv!r})\n"
        "heavy = [m for m in ('textual', 'rich', 'httpx', 'huddle_tui.sync.outbox') if m in sys.modules]\n"
        "print(__import__('json').dumps([rc, heavy]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**__import__("os").environ, "HUDDLE_CONFIG": str(team.path)})
    rc, heavy = json.loads(result.stdout)
    assert rc == 0, result.stderr
    assert heavy == []


def test_the_lobby_paints_before_the_store_is_imported() -> None:
    """The app, the lobby and its kept first frame load no store, no json, and nothing shown later.

    The first frame comes from a kept answer (storage/derived.py, read from the
    folder's SQLite cache without json: a marshal value); the hidden panels,
    the IO worker's messages and everything it reads are imported after it.
    """
    code = ("import sys\n"
            "from huddle_tui.cli import main\n"
            "from huddle_tui.tui.app import HuddleApp\n"
            "from huddle_tui.tui.screens import lobby\n"
            "from huddle_tui.storage import derived, cache\n"  # kept_today's own imports
            "from huddle_tui.model.huddle import Today\n"
            "later = ('huddle_tui.journal', 'huddle_tui.storage.folder', 'huddle_tui.rules.report', 'json',\n"
            "         'huddle_tui.tui.messages', 'huddle_tui.tui.widgets.followups',\n"
            "         'huddle_tui.tui.widgets.pairs_line', 'nacl', 'huddle_tui.storage.signature')\n"
            "print(repr([m for m in later if m in sys.modules]))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ast.literal_eval(result.stdout) == []


@pytest.fixture
def signed_demo(tmp_path: Path) -> Path:
    """A signed demo history whose runner is Ana, its index and kept answers warm: its huddle.toml.

    The folders and the keyring are dated back first (one changed within the
    last seconds is read before it is trusted), then everything is read once.
    """
    from huddle_tui.demo import You, generate
    from huddle_tui.storage.localkey import signing_key_path
    from huddle_tui.storage.signature import load_machine_key
    from tests.conftest import run_huddle, settle_folders

    folder = tmp_path / "demo"
    folder.mkdir()
    generate(folder, members=6, years=0.5, you=You(None, load_machine_key(signing_key_path())))
    settle_folders(folder)
    from huddle_tui.storage.keyring import keyring_path

    hour_ago = time.time() - 3600  # the keyring the demo wrote is part of what kept answers depend on
    os.utime(keyring_path(folder), (hour_ago, hour_ago))
    env = {"HUDDLE_CONFIG": str(folder / "huddle.toml")}
    for argv in (["export"], ["next", "--json"]):
        warmed = run_huddle(*argv, env=env)
        assert warmed.returncode == 0, warmed.stderr
    return folder / "huddle.toml"


def _fresh(code: str, config: Path) -> object:
    """What a fresh interpreter prints (as a Python literal) after running `code` on a team."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "HUDDLE_CONFIG": str(config)})
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_a_warm_next_and_a_warm_read_of_a_signed_history_never_import_nacl(signed_demo: Path) -> None:
    """Signatures are verified once, when a file is first read: the index's answers need no PyNaCl."""
    code = ("import sys, io, contextlib\n"
            "from huddle_tui.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): rc = main(['next', '--json'])\n"
            "print(repr([rc, 'nacl' in sys.modules]))\n")
    assert _fresh(code, signed_demo) == [0, False]
    code = ("import sys\n"
            "from huddle_tui.config.user import load_team, load_user_config, who_am_i\n"
            "from huddle_tui.journal import open_journal\n"
            "team = load_team()\n"
            "journal = open_journal(team)\n"
            "history = journal.read()\n"
            "signed = all(r.signer for r in history.records.values())\n"
            "print(repr([journal.me, len(history.records) > 100, signed, len(history.problems),\n"
            "            'nacl' in sys.modules]))\n")
    assert _fresh(code, signed_demo) == ["Ana", True, True, 0, False]


def test_the_lobbys_first_frame_of_a_signed_history_never_imports_nacl(signed_demo: Path) -> None:
    """The lobby paints today's kept plan of a signed demo without PyNaCl (or the store) loaded."""
    code = ("import sys\n"
            "from huddle_tui.config.user import load_team, load_user_config\n"
            "from huddle_tui.tui.app import HuddleApp\n"
            "app = HuddleApp(load_team(), load_user_config())\n"
            "today = app.kept_today()\n"
            "print(repr([today is not None,\n"
            "            [m for m in ('nacl', 'huddle_tui.journal', 'huddle_tui.storage.folder')\n"
            "             if m in sys.modules]]))\n")
    assert _fresh(code, signed_demo) == [True, []]


def test_a_checkin_loads_no_rotation_and_no_base64(team: TeamConfig, isolated_dirs: Path) -> None:
    """A check-in saves an answer: who facilitates (the rotation rules) is none of its work.

    The journal imports them where a plan is made, and keys and signatures
    are spelled by binascii (storage/signature.py): at the top, each cost
    every check-in its import. Ana checks in at her own terminal: signed.
    """
    (isolated_dirs / "config").mkdir(parents=True, exist_ok=True)
    (isolated_dirs / "config" / "config.toml").write_text('me = "Ana"\n', encoding="utf-8")
    code = (
        "import sys, io, contextlib\n"
        "from huddle_tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    rc = main(['checkin', '--member', 'Ana', '--mood', '4', '--status', 'fine'])\n"
        "print(repr([rc, 'nacl' in sys.modules,\n"
        "            [m for m in ('huddle_tui.rules.rotation', 'base64') if m in sys.modules]]))\n"
    )
    assert _fresh(code, team.path or Path("huddle.toml")) == [0, True, []]


# Modules whose named tuples every scripted command builds: without `from __future__ import annotations`,
# typing.NamedTuple takes their fields' types as they are instead of compiling each annotation's text.
PLAIN_ANNOTATIONS = ("huddle_tui.config.circles", "huddle_tui.config.pairs", "huddle_tui.config.team",
                     "huddle_tui.config.user", "huddle_tui.model.checkin", "huddle_tui.storage.cache",
                     "huddle_tui.storage.envelope", "huddle_tui.storage.scan")


def test_the_named_tuples_a_command_builds_compile_no_annotation() -> None:
    """Importing the config, check-in and store models makes no typing.ForwardRef (a compile() each)."""
    code = ("import sys, typing\n"
            "made = []\n"
            "real = typing.ForwardRef.__init__\n"
            "def noting(self, *args, **kwargs):\n"
            "    frame = sys._getframe(1)\n"
            "    while frame.f_globals.get('__name__') == 'typing':\n"
            "        frame = frame.f_back\n"
            "    made.append(frame.f_globals.get('__name__'))\n"
            "    real(self, *args, **kwargs)\n"
            "typing.ForwardRef.__init__ = noting\n"
            f"for name in {PLAIN_ANNOTATIONS!r}:\n"
            "    __import__(name)\n"
            f"print(repr(sorted({{m for m in made if m in {PLAIN_ANNOTATIONS!r}}})))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ast.literal_eval(result.stdout) == []


def test_a_warm_report_of_a_signed_history_never_loads_openssl(signed_demo: Path) -> None:
    """The trust tag a report's kept months are keyed by is SHA-256 without hashlib's OpenSSL (2.5 ms)."""
    from tests.conftest import run_huddle

    env = {"HUDDLE_CONFIG": str(signed_demo)}
    warmed = run_huddle("report", "--since", "90d", env=env)
    assert warmed.returncode == 0, warmed.stderr
    code = ("import sys, io, contextlib\n"
            "from huddle_tui.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): rc = main(['report', '--since', '90d'])\n"
            "print(repr([rc, [m for m in ('_hashlib', 'hashlib', 'nacl') if m in sys.modules]]))\n")
    assert _fresh(code, signed_demo) == [0, []]


@given(st.binary(max_size=300))
def test_the_trust_tags_digest_is_hashlibs_sha256(data: bytes) -> None:
    """Kept answers are keyed by the trust tag: its digest, taken without OpenSSL, is hashlib's."""
    import hashlib

    from huddle_tui.rules.authorship import _sha256_hex

    assert _sha256_hex(data) == hashlib.sha256(data).hexdigest()
