"""The team the session tests share: six members, five opted in to circles (Fatima not)."""

from __future__ import annotations

from pathlib import Path

import pytest

NAMES = ["Ana", "Ben", "Chen", "Dara", "Emeka", "Fatima"]


def circle_team(shared: Path, monkeypatch: pytest.MonkeyPatch, team_lines: str = "") -> Path:
    """Write the team's huddle.toml in `shared` (`team_lines` in [team]); HUDDLE_CONFIG points at it."""
    members = "".join(f'\n[[members]]\nname = "{n}"\ncircles = {"false" if n == "Fatima" else "true"}\n'
                      for n in NAMES)
    path = shared / "huddle.toml"
    path.write_text(f'[team]\nname = "Platform"\n{team_lines}{members}', encoding="utf-8")
    monkeypatch.setenv("HUDDLE_CONFIG", str(path))
    return path
