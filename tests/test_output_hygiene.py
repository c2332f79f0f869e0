"""What a teammate wrote is shown or posted as text, never obeyed by a terminal, a spreadsheet or a chat."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from huddle_tui.config.team import TeamConfig, load_team_config
from huddle_tui.errors import ConfigError, UsageError
from huddle_tui.model.ids import random_id
from huddle_tui.rules.summary import ConcernLine, Summary
from huddle_tui.storage.folder import FolderStore
from huddle_tui.sync.webhooks import payload
from huddle_tui.text import clean_name, csv_cell, printable
from tests.conftest import cli

OSC52 = "\x1b]52;c;cm0gLXJmIH4K\x07"  # a clipboard write: "rm -rf ~" waiting to be pasted
RAW = ("\x1b", "\x07", "\x9b")  # ESC, BEL and the one-byte CSI must never leave raw


def huddle_bytes(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    """Run the real command and keep its output as bytes, exactly as a terminal would get them."""
    return subprocess.run([sys.executable, "-m", "huddle_tui", *args], capture_output=True,
                          env={**os.environ, **env}, timeout=120)


def save_checkin(team: TeamConfig, member: str, status: str) -> None:
    """A check-in as a teammate's machine would have written it to the shared folder."""
    FolderStore(team.shared_dir, durable=False).save(
        "checkin", random_id(), "2026-11-26",
        {"member": member, "mood": 3, "status": status, "concerns": [], "visibility": "team",
         "source": "cli"})


# ---------------------------------------------------------------- terminal output


def test_printable_escapes_c0_c1_and_undecodable_bytes() -> None:
    """ESC, BEL, CSI and a file name's undecodable byte (a lone surrogate) all come out spelled."""
    assert printable(f"a{OSC52}b") == "a\\x1b]52;c;cm0gLXJmIH4K\\x07b"
    assert printable("\x9b2J") == "\\x9b2J"
    assert printable(os.fsdecode(b"bad\x9b\xff")) == "bad\\x9b\\xff"
    assert printable("tab\tand é ü 😀") == "tab\tand é ü 😀"


def test_csv_export_escapes_controls_in_every_cell_and_keeps_the_formula_guard(
        team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """ESC/BEL/OSC 52 and C1 in a status or name reach the CSV spelled out; formulas stay defused."""
    save_checkin(team, "Ana", f"fine {OSC52} done")
    save_checkin(team, "Ben\x1b[31m", "\x9b2J=cleared")
    save_checkin(team, "Chen", "=HYPERLINK(\"http://x.invalid\",\"click\")")
    code, out, err = cli(capsys, "export", "--format", "csv", "--config", str(team.path))
    assert code == 0, err
    assert not any(ch in out for ch in RAW)
    rows = list(csv.DictReader(io.StringIO(out)))
    by_member = {r["member"]: r for r in rows}
    assert by_member["Ana"]["status"] == "fine \\x1b]52;c;cm0gLXJmIH4K\\x07 done"
    assert "Ben\\x1b[31m" in by_member and by_member["Ben\\x1b[31m"]["status"] == "\\x9b2J=cleared"
    assert by_member["Chen"]["status"].startswith("'=HYPERLINK")
    assert "\\u001b]52" in by_member["Ana"]["payload"]  # JSON spells C0 itself
    assert csv_cell("\x1b=1+1") == "\\x1b=1+1" and csv_cell("+1\x07") == "'+1\\x07"


def test_export_names_a_corrupt_file_on_stderr_without_its_escapes(team: TeamConfig) -> None:
    """A skipped file's name (a teammate chose it) is spelled out on stderr."""
    save_checkin(team, "Ana", "ok")
    month = team.shared_dir / "records" / "checkin" / "2026-11"
    (month / f"evil{OSC52}.1.deadbeef.json").write_bytes(b"garbage")
    result = huddle_bytes("export", "--format", "csv", env={"HUDDLE_CONFIG": str(team.path)})
    assert result.returncode == 0
    assert not any(ch.encode() in result.stderr for ch in ("\x1b", "\x07"))
    assert b"evil\\x1b]52;c;cm0gLXJmIH4K\\x07.1.deadbeef.json" in result.stderr


def test_doctor_spells_out_a_corrupt_file_name_holding_escapes(team: TeamConfig) -> None:
    """doctor lists corrupt files by name: an ESC, a BEL or a raw CSI byte in a name is shown escaped."""
    save_checkin(team, "Ana", "ok")
    month = team.shared_dir / "records" / "checkin" / "2026-11"
    (month / f"evil{OSC52}.1.deadbeef.json").write_bytes(b"garbage")
    with open(os.fsencode(month) + b"/bad\x9b2J\xff.1.deadbeef.json", "wb") as f:  # not UTF-8
        f.write(b"garbage")
    result = huddle_bytes("doctor", env={"HUDDLE_CONFIG": str(team.path)})
    assert result.returncode == 0, result.stderr
    assert not any(b in result.stdout for b in (b"\x1b", b"\x07", b"\x9b", b"\xff"))
    assert b"evil\\x1b]52;c;cm0gLXJmIH4K\\x07.1.deadbeef.json" in result.stdout
    assert b"bad\\x9b2J\\xff.1.deadbeef.json" in result.stdout
    as_json = huddle_bytes("doctor", "--json", env={"HUDDLE_CONFIG": str(team.path)})
    assert not any(b in as_json.stdout for b in (b"\x1b", b"\x07", b"\x9b", b"\xff"))
    names = {Path(f["path"]).name for f in json.loads(as_json.stdout)["corrupt_files"]}
    assert names == {f"evil{OSC52}.1.deadbeef.json", os.fsdecode(b"bad\x9b2J\xff.1.deadbeef.json")}


def test_init_joining_a_team_spells_out_its_name(team: TeamConfig,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Joining prints the team's name from the shared huddle.toml: its escapes stay visible text."""
    assert team.path is not None
    text = team.path.read_text(encoding="utf-8").replace('name = "Platform"',
                                                         'name = "Plat\\u001b]0;pwned\\u0007form"')
    team.path.write_text(text, encoding="utf-8")
    assert "\x1b" in load_team_config(team.path).name
    code, out, err = cli(capsys, "init", "--shared", str(team.shared_dir), "--me", "Ben")
    assert code == 0, err
    assert not any(ch in out + err for ch in RAW)
    assert "Joined Plat\\x1b]0;pwned\\x07form as Ben" in out


def test_init_with_an_escape_in_the_team_name_prints_nothing_raw(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`init --team` with an escape in it: saved as typed, never written raw to the terminal."""
    shared = tmp_path / "share"
    code, out, err = cli(capsys, "init", "--team", f"Team{OSC52}", "--members", "Ana,Ben",
                         "--shared", str(shared), "--me", "Ana")
    assert code == 0, err
    assert not any(ch in out + err for ch in RAW)
    assert load_team_config(shared / "huddle.toml").name == f"Team{OSC52}"
    code, out, err = cli(capsys, "--config", str(shared / "huddle.toml"), "doctor")
    assert code == 0 and not any(ch in out + err for ch in RAW)
    code, _, err = cli(capsys, "checkin", "--bogus\x1b[2J")
    assert code == 2 and "\x1b" not in err and "\\x1b[2J" in err  # argparse quotes argv


# ---------------------------------------------------------------- member names

INVISIBLE = {
    "zero-width space": "A\u200bna", "zero-width non-joiner": "A\u200cna", "zero-width joiner": "A\u200dna",
    "word joiner": "A\u2060na", "byte order mark": "\ufeffAna", "right-to-left override": "\u202eanA",
    "left-to-right embedding": "A\u202ana", "right-to-left isolate": "\u2067Ana\u2069",
    "soft hyphen (Cf)": "A\u00adna", "line separator (Zl)": "A\u2028na",
    "paragraph separator (Zp)": "A\u2029na",
    "control (Cc)": "A\x1bna", "tab (Cc)": "A\tna",
}


def roster_toml(*names: str) -> str:
    """A minimal huddle.toml whose roster is `names` (as TOML basic strings, escapes and all)."""
    members = "".join(f'[[members]]\nname = "{n}"\n\n' for n in names)
    return f'[team]\nname = "Platform"\n\n{members}'


def toml_escape(name: str) -> str:
    """Spell every non-ASCII or control character as a TOML \\u escape, so the file shows them."""
    return "".join(ch if " " <= ch < "\x7f" else f"\\u{ord(ch):04x}" for ch in name)


@pytest.mark.parametrize("kind", list(INVISIBLE))
def test_a_member_name_with_an_invisible_or_bidi_character_is_refused(tmp_path: Path, kind: str) -> None:
    """`A\\u200bna` beside `Ana` would pass the duplicate check: any such character is a ConfigError."""
    path = tmp_path / "huddle.toml"
    path.write_text(roster_toml("Ana", "Ben", toml_escape(INVISIBLE[kind])), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_team_config(path)
    message = info.value.message
    assert str(path) in message and "members[2].name" in message and "line 11" in message
    assert "is not allowed in a name" in message


def test_a_handle_with_a_zero_width_character_is_refused_by_key(tmp_path: Path) -> None:
    """Handles identify members too."""
    path = tmp_path / "huddle.toml"
    path.write_text('[team]\nname = "P"\n\n[[members]]\nname = "Ana"\nhandle = "a\\u200bna"\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"members\[0\]\.handle.*U\+200B \(ZERO WIDTH SPACE\)"):
        load_team_config(path)


def test_member_names_are_nfc_so_two_spellings_of_one_name_are_a_duplicate(tmp_path: Path) -> None:
    """`Zoë` typed precomposed and decomposed is one name: NFC on reading makes that a duplicate."""
    path = tmp_path / "huddle.toml"
    path.write_text(roster_toml("Zo\\u00eb", "Ben"), encoding="utf-8")
    team = load_team_config(path)
    assert team.members[0].name == "Zo\u00eb"
    assert team.member("Zoe\u0308") is team.members[0]  # a decomposed spelling finds her
    path.write_text(roster_toml("Zo\\u00eb", "Zoe\\u0308"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"members\[1\]\.name.*duplicate member"):
        load_team_config(path)
    path.write_text(roster_toml("Zoe\\u0308"), encoding="utf-8")
    assert load_team_config(path).members[0].name == "Zo\u00eb"


def test_names_typed_on_the_command_line_are_nfc_and_refuse_invisible_characters(
        tmp_path: Path, team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """`--member`, `--members`, `--me` and `--handoff`: one clear line, exit 2, nothing saved."""
    assert clean_name("Zoe\u0308", "--member") == "Zo\u00eb"
    with pytest.raises(UsageError, match="--member: invisible or direction-changing character U\\+202E"):
        clean_name("\u202eanA", "--member")
    shared = tmp_path / "share"
    code, _, err = cli(capsys, "init", "--team", "T", "--members", "Ana,A\u200bna", "--shared", str(shared))
    assert code == 2 and "--members: invisible or direction-changing character U+200B" in err
    assert "Traceback" not in err and not (shared / "huddle.toml").exists()
    code, _, err = cli(capsys, "init", "--team", "T", "--members", "Ana,Ben", "--shared", str(shared),
                       "--me", "Ana\u2060")
    assert code == 2 and "--me: invisible" in err
    config = str(team.path)
    code, _, err = cli(capsys, "checkin", "--config", config, "--member", "A\u200dna", "--mood", "3")
    assert code == 2 and "--member: invisible" in err
    assert not list(team.shared_dir.rglob("*.json"))
    code, _, err = cli(capsys, "next", "--config", config, "--handoff", "B\u200ben")
    assert code == 2 and "--handoff: invisible" in err
    code, _, err = cli(capsys, "init", "--team", "T", "--members", "Zoe\u0308,Ben", "--shared", str(shared))
    assert code == 0, err
    assert [m.name for m in load_team_config(shared / "huddle.toml").members] == ["Zo\u00eb", "Ben"]


def test_an_ascii_roster_does_not_load_unicodedata() -> None:
    """`huddle next`/`checkin` read the roster on every run: plain names cost no extra import."""
    code = ("import sys\nfrom huddle_tui.text import normal_name\n"
            "assert normal_name('Ana') == ('Ana', None)\nprint('unicodedata' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


# ---------------------------------------------------------------- chat posts

TYPED = ("see [click me](http://evil.invalid/login) ![pixel](http://evil.invalid/t.png) "
         "<http://evil.invalid/auto> <https://evil.invalid|Docs> @channel @here @everyone @all "
         "<!channel> <!here> <@U123ABC> <@&987654321> \\[pre-escaped](http://evil.invalid/2)")


def typed_summary() -> Summary:
    """A summary whose team name, names, statuses and concerns all carry link and mention syntax."""
    return Summary(team="Platform [x](http://evil.invalid)", date="2026-11-26", facilitator="Ana @here",
                   next_facilitator="<@U999>", expected=3, checked_in=["Ana @here", "Ben", "Chen"],
                   moods={2: 1, 3: 1, 4: 1}, statuses={"Ana @here": TYPED, "Ben": TYPED, "Chen": "ok"},
                   concerns=[ConcernLine(TYPED, "blocker", None),
                             ConcernLine(TYPED, "concern", "Ben", "Chen <!channel>", "open")])


def visible_texts(fmt: str, body: dict[str, Any]) -> list[str]:
    """Every string of a chat payload that the service renders."""
    if fmt == "slack":
        texts = [body["text"]]
        for block in body["blocks"]:
            texts += [block["text"]["text"]] if "text" in block else [e["text"] for e in block["elements"]]
        return texts
    if fmt == "teams":
        return [b["text"] for b in body["attachments"][0]["content"]["body"]]
    return [body["text"] if fmt == "mattermost" else body["content"]]


def live_syntax(fmt: str, text: str) -> list[str]:
    """What in `text` a service would still render as a link, an image, an autolink or a mention."""
    found = []
    if fmt in ("mattermost", "discord"):
        text = re.sub(r"\\.", "_", text, flags=re.S)  # a backslash-escaped character is literal
    if fmt != "slack" and "](" in text:
        found.append("link or image")
    found += [m.group() for m in re.finditer(r"<(?!\u200b)\S{0,12}", text)]  # autolink, <!x>, <@x>
    found += [m.group() for m in re.finditer(r"@(?!\u200b)\w+", text)]  # @channel, @here, @everyone
    return found


def test_live_syntax_check_itself_sees_links_and_mentions() -> None:
    """The checker below would catch what an unescaped post holds."""
    for fmt in ("slack", "teams", "mattermost", "discord"):
        assert live_syntax(fmt, TYPED)
    assert live_syntax("discord", "\\\\[a](b)") == ["link or image"]  # an escaped backslash, then a link


@pytest.mark.parametrize("fmt", ["slack", "teams", "mattermost", "discord"])
def test_chat_posts_render_typed_links_images_and_mentions_as_literal_text(fmt: str) -> None:
    """Links, images, autolinks and every mention form reach each chat format as plain text."""
    body = payload(fmt, typed_summary())
    texts = visible_texts(fmt, body)
    assert texts and all(live_syntax(fmt, t) == [] for t in texts), [live_syntax(fmt, t) for t in texts]
    joined = "\n".join(texts).replace("\u200b", "").replace("\\", "")
    for word in ("click me", "evil.invalid/login", "pixel", "channel", "everyone", "U123ABC", "Ben"):
        assert word in joined  # still readable: escaped, not deleted
    if fmt == "discord":
        assert body["allowed_mentions"] == {"parse": []}
