"""Bad input gets one clear line and exit 2, and never harms what was saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from huddle_tui.config.team import TeamConfig
from huddle_tui.storage.envelope import decode
from huddle_tui.storage.folder import FolderStore
from tests.conftest import run_huddle


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


BAD_CHECKINS = [
    (["--mood", "0"], "mood must be a whole number from 1 to 5"),
    (["--mood", "6"], "mood must be a whole number from 1 to 5"),
    (["--mood", "3.5"], "mood must be a whole number from 1 to 5"),
    (["--mood", "three"], "mood must be a whole number from 1 to 5"),
    (["--mood", "3", "--member", "Zed"], "unknown member 'Zed'"),
    (["--mood", "3", "--date", "2026-13-40"], "not a date"),
    (["--mood", "3", "--date", "yesterdayish"], "not a date"),
    (["--mood", "3", "--concern", "x" * 501], "--concern: 501 characters, the limit is 500"),
    (["--mood", "3", "--anonymous", "--private"], "not allowed with argument"),
    (["--mood", "3", "--frobnicate"], "unrecognized arguments"),
]


@pytest.mark.parametrize(("flags", "message"), BAD_CHECKINS)
def test_bad_checkin_is_refused_in_one_line(team: TeamConfig, flags: list[str], message: str) -> None:
    """Exit 2, one line on stderr naming the problem, no traceback, the folder untouched."""
    ana = run_huddle("checkin", "--config", str(team.path), "--member", "Ana", "--mood", "4",
                     "--date", "2026-11-26")
    assert ana.returncode == 0
    before = snapshot(team.shared_dir)
    args = ["checkin", "--config", str(team.path)]
    if "--member" not in flags:
        args += ["--member", "Ana"]
    result = run_huddle(*args, *flags, "--date" if "--date" not in flags else "--json",
                        *(["2026-11-26"] if "--date" not in flags else []))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert snapshot(team.shared_dir) == before


def test_nul_and_overlong_text_from_json_lines(team: TeamConfig) -> None:
    """NUL bytes and over-long concerns arriving through --from-json are refused per line."""
    lines = [{"member": "Ana", "mood": 3, "status": "ok\u0000then"},
             {"member": "Ana", "mood": 3, "concerns": ["y" * 501]},
             {"member": "Ana", "mood": "3.5"}, {"member": "Ana", "mood": True}]
    result = run_huddle("checkin", "--config", str(team.path), "--from-json", "-", "--json",
                        stdin="".join(json.dumps(x) + "\n" for x in lines))
    assert result.returncode == 2
    messages = [json.loads(x)["message"] for x in result.stdout.splitlines()]
    assert "NUL" in messages[0] and "limit is 500" in messages[1]
    assert "1 to 5" in messages[2] and "1 to 5" in messages[3]
    assert not list(team.shared_dir.rglob("*.json"))


def test_markup_and_escapes_are_kept_and_shown_escaped(team: TeamConfig) -> None:
    """Rich markup is ordinary text; terminal escapes are kept in the record, never printed raw."""
    status = "[red]alarm[/red] [link=https://evil.example]click[/link] \x1b[31mred\x1b[0m \x9b2J"
    result = run_huddle("checkin", "--config", str(team.path), "--member", "Ana", "--mood", "3",
                        "--status", status, "--date", "2026-11-26")
    assert result.returncode == 0, result.stderr
    record = decode(next(team.shared_dir.rglob("*.json")).read_bytes())
    assert record.payload["status"] == status
    for fmt in ("text", "markdown", "json"):
        shown = run_huddle("summary", "--config", str(team.path), "--date", "2026-11-26", "--format", fmt)
        assert shown.returncode == 0
        assert "\x1b" not in shown.stdout and "\x9b" not in shown.stdout
        text = shown.stdout
        if fmt == "markdown":  # escaped for CommonMark: what a reader sees is the literal text
            text = markdown_plain(text)
        assert "[red]alarm[/red]" in text and "[link=https://evil.example]" in text
    export = run_huddle("export", "--config", str(team.path))
    assert "\x1b" not in export.stdout and json.loads(export.stdout)["payload"]["status"] == status


def markdown_plain(source: str) -> str:
    """The text a Markdown reader sees (inline text, code and escapes resolved), with no links made."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(source)
    inline = [child for t in tokens if t.children for child in t.children]
    assert not any(c.type in ("link_open", "html_inline", "image") for c in inline)
    return "".join(c.content for c in inline if c.type == "text")


def test_bad_usage_exits_2_in_one_line() -> None:
    """Unknown commands and flags: one line and exit 2."""
    for args in (["frobnicate"], ["next", "--date"], ["summary", "--format", "pdf"]):
        result = run_huddle(*args)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, (args, result.stderr)


def test_unwritable_shared_folder_exits_4(team: TeamConfig, tmp_path: Path) -> None:
    """A shared folder that cannot be written is exit 4 with the folder named."""
    blocker = team.shared_dir / "records"
    blocker.write_text("not a folder")
    result = run_huddle("checkin", "--config", str(team.path), "--member", "Ana", "--mood", "3")
    assert result.returncode == 4 and str(blocker) in result.stderr
    assert result.stderr.count("\n") == 1
    assert FolderStore(team.shared_dir).read().records == {}
