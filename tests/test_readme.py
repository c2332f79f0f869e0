"""The README's two commands are the ones CI and a new user run."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Stock Debian and Ubuntu Pythons refuse `pip install` outside a virtual environment
# (PEP 668, "externally-managed-environment"), so both commands start by making one.
VENV = "python3 -m venv .venv && . .venv/bin/activate && "


def readme_command(after: str) -> str:
    """The indented command line that follows a README sentence."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(after))
    return next(line.strip() for line in lines[start + 1:] if line.startswith("    "))


def test_ci_runs_exactly_the_readme_test_command() -> None:
    """.ci/run installs the test extras and runs the README's test command, unchanged."""
    command = readme_command("Run the tests")
    assert command.startswith(VENV)
    install, _, test = command.removeprefix(VENV).partition(" && ")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install" in install and "'.[test]'" in install
    assert test in ci.splitlines()
    assert "set -euo pipefail" in ci


def test_readme_try_it_command_installs_and_runs_the_demo() -> None:
    """The first command makes and activates a venv, installs the package and opens the demo."""
    assert readme_command("Try it") == VENV + "pip install . && huddle demo"
