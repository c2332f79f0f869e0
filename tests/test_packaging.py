"""A regular install (not only an editable one) carries every module, theme and stylesheet."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def declared() -> dict[str, object]:
    """The [tool.setuptools] table of pyproject.toml."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    table = data["tool"]["setuptools"]
    assert isinstance(table, dict)
    return table


def test_every_package_is_listed() -> None:
    """Each folder with an __init__.py under src/huddle_tui ships; an unlisted one would not."""
    found = {".".join(p.parent.relative_to(ROOT / "src").parts)
             for p in (ROOT / "src" / "huddle_tui").rglob("__init__.py")}
    found.add("huddle_tui.themes")
    packages = declared()["packages"]
    assert isinstance(packages, list) and set(packages) == found


def test_themes_and_stylesheets_ship_as_package_data() -> None:
    """The shipped themes and every .tcss file are matched by package-data patterns."""
    data = declared()["package-data"]
    assert isinstance(data, dict)
    assert "*.toml" in data["huddle_tui.themes"] and list((ROOT / "themes").glob("*.toml"))
    for css in (ROOT / "src" / "huddle_tui").rglob("*.tcss"):
        package = ".".join(css.parent.relative_to(ROOT / "src").parts)
        assert "*.tcss" in data.get(package, []), css
