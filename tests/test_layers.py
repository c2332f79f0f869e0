"""The import layers hold, and `lint-imports` would catch a core module reaching up into the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the package under `root`/src with `root`'s pyproject.toml."""
    assert LINT is not None, "import-linter is a test dependency"
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run([LINT, "--no-cache"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)


def copy_of_the_project(tmp_path: Path) -> Path:
    """The sources and the contracts, in a folder of their own."""
    shutil.copytree(ROOT / "src" / "huddle_tui", tmp_path / "src" / "huddle_tui",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_hold_as_the_code_stands(tmp_path: Path) -> None:
    """Every contract in pyproject.toml is kept."""
    result = lint(copy_of_the_project(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("storage/envelope.py", "from huddle_tui.commands.common import emit_json", "Layers"),
    ("rules/summary.py", "import huddle_tui.cli", "Layers"),
    ("journal.py", "import textual.app", "plain Python"),
    ("config/team.py", "import httpx", "Only sync/"),
])
def test_a_core_module_reaching_up_breaks_a_contract(tmp_path: Path, module: str, line: str,
                                                     contract: str) -> None:
    """One import where it does not belong is enough for lint-imports to fail, naming the contract."""
    root = copy_of_the_project(tmp_path)
    target = root / "src" / "huddle_tui" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = lint(root)
    assert result.returncode != 0
    broken = [ln for ln in result.stdout.splitlines() if ln.endswith("BROKEN")]
    assert any(contract in ln for ln in broken), result.stdout
