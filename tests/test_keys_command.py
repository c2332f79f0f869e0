"""`huddle keys`, `doctor`, `me` and `export` over two homes, each its own `huddle` process and key.

Ana sets the team up, Ben joins; each machine's home (config, data, cache)
is its own, as on two laptops sharing one folder. What is trusted, what
waits and what was keyed for someone is said where the person looks.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from huddle_tui.config.team import load_team_config
from huddle_tui.storage.signature import SigningKey, new_seed
from tests.conftest import run_huddle

DAY = "2026-12-07"



def homes(tmp_path: Path) -> dict[str, dict[str, str]]:
    """The environment of each teammate's own machine."""
    out = {}
    for who in ("ana", "ben", "chen"):
        base = tmp_path / who
        out[who] = {"HUDDLE_CONFIG_DIR": str(base / "config"), "HUDDLE_DATA_DIR": str(base / "data"),
                    "HUDDLE_CACHE_DIR": str(base / "cache")}
    return out


def huddle(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run one command on one machine."""
    done = run_huddle(*args, env=env)
    return done.returncode, done.stdout, done.stderr


def test_keys_over_two_homes_list_wait_and_confirm(tmp_path: Path) -> None:
    """Each init publishes a key; a new machine's key waits elsewhere until its fingerprint is confirmed."""
    shared = tmp_path / "shared"
    env = homes(tmp_path)
    code, out, err = huddle(env["ana"], "init", "--team", "P", "--members", "Ana,Ben,Chen",
                            "--shared", str(shared), "--me", "Ana", "--json")
    assert code == 0, err
    ana_print = json.loads(out)["fingerprint"]
    code, out, err = huddle(env["ben"], "init", "--shared", str(shared), "--me", "Ben", "--json")
    assert code == 0, err
    code, out, _ = huddle(env["ben"], "keys", "--json")
    listed = {m["member"]: m for m in json.loads(out)["members"]}
    assert [k["fingerprint"] for k in listed["Ana"]["trusted"]] == [ana_print]
    assert listed["Chen"] == {"member": "Chen", "trusted": [], "waiting": []}
    # Ana's second machine: a new key for Ana, pinned already on Ben's machine, so it waits.
    code, _, err = huddle(env["chen"], "init", "--shared", str(shared), "--me", "Ana", "--force")
    assert code == 0, err
    code, _, err = huddle(env["chen"], "checkin", "--mood", "2", "--status", "from the laptop", "--date", DAY)
    assert code == 0, err
    code, out, _ = huddle(env["ben"], "keys", "--json")
    waiting = {m["member"]: m for m in json.loads(out)["members"]}["Ana"]["waiting"]
    assert len(waiting) == 1
    code, out, _ = huddle(env["ben"], "summary", "--date", DAY, "--json")
    assert json.loads(out)["checked_in"] == []  # the waiting key's check-in is not shown
    code, out, _ = huddle(env["ben"], "doctor", "--json")
    report = json.loads(out)
    assert [w["member"] for w in report["waiting_keys"]] == ["Ana"]
    assert any("wait to be confirmed" in c["detail"] for c in report["checks"] if c["name"] == "keys")
    code, out, err = huddle(env["ben"], "keys", "confirm", "Ana", "--fingerprint", "99999 99999")
    assert code != 0 and "no key waits" in err
    code, out, err = huddle(env["ben"], "keys", "confirm", "Ana", "--fingerprint",
                            waiting[0]["fingerprint"][:11])
    assert code == 0, err
    code, out, _ = huddle(env["ben"], "summary", "--date", DAY, "--json")
    assert json.loads(out)["checked_in"] == ["Ana"]


def test_what_was_keyed_for_me_shows_in_huddle_me_and_unsigned_lines_are_counted(tmp_path: Path) -> None:
    """Ben keys Chen's mood; Chen's `huddle me` says so. Export counts what rests on no signature."""
    shared = tmp_path / "shared"
    env = homes(tmp_path)
    assert huddle(env["ana"], "init", "--team", "P", "--members", "Ana,Ben,Chen", "--shared", str(shared),
                  "--me", "Ana")[0] == 0
    assert huddle(env["ben"], "init", "--shared", str(shared), "--me", "Ben")[0] == 0
    assert huddle(env["chen"], "init", "--shared", str(shared), "--me", "Chen")[0] == 0
    code, _, err = huddle(env["ben"], "checkin", "--member", "Chen", "--mood", "2", "--date", DAY)
    assert code == 0, err
    code, out, err = huddle(env["chen"], "me", "--json", "--weeks", "26")
    assert code == 0, err
    assert [(m["date"], m["keyed_by"]) for m in json.loads(out)["moods"]] == [(DAY, "Ben")]
    code, out, err = huddle(env["ana"], "summary", "--date", DAY)
    assert "Chen (keyed by Ben)" in out
    # An unsigned record from before keys, dated before them, is read and counted as unsigned.
    from huddle_tui.storage import envelope
    from huddle_tui.storage.fileio import write_atomic

    record, data = envelope.encode("checkin", "c0ffee00-0000-4000-8000-000000000001", 1, "2026-11-02", "t",
                                   {"member": "Ana", "mood": 3, "status": "old"})
    target = shared / "records" / "checkin" / "2026-11" / record.file_name()
    target.parent.mkdir(parents=True)
    write_atomic(target, data, durable=False)
    code, out, err = huddle(env["ben"], "export")
    assert code == 0 and "1 records are unsigned" in err and '"status":"old"' in out
    assert SigningKey(new_seed()).public not in out


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_machine_that_cannot_sign_saves_nothing_nobody_would_see(tmp_path: Path) -> None:
    """With no `me`, a check-in teammates would set aside is refused in one line, before anything is written.

    Once a team has keys, an unsigned check-in in a member's name is never shown or
    counted; reporting it "saved" would be a promise no reader keeps. Anonymous answers
    are refused too, before one is held on this machine.
    """
    shared = tmp_path / "shared"
    env = homes(tmp_path)
    code, _, err = huddle(env["ana"], "init", "--team", "P", "--members", "Ana,Ben,Chen",
                          "--shared", str(shared), "--me", "Ana")
    assert code == 0, err
    # The day of Ana's key (made today): an unsigned record is refused from that date on. Every day
    # of the week a working day, so the test runs the same whatever day the suite runs on.
    config = shared / "huddle.toml"
    config.write_text(config.read_text().replace(
        "[team]\n", '[team]\nworkdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n', 1))
    day = load_team_config(config).today(datetime.now(UTC)).isoformat()
    stranger = {**env["chen"], "HUDDLE_CONFIG": str(shared / "huddle.toml")}  # no `me` on this machine
    before = _tree(shared)
    for visibility in ("--named", "--anonymous", "--private"):
        code, out, err = huddle(stranger, "checkin", "--member", "Ben", "--mood", "2", "--date", day,
                                visibility)
        assert code == 2, (visibility, out, err)
        assert err.count("\n") == 1 and "not saved" in err and "--me NAME" in err, err
        assert "Traceback" not in err
    assert _tree(shared) == before
    data = tmp_path / "chen" / "data"
    assert not [p for p in data.rglob("*") if p.is_file() and "private" in p.parts], "nothing held here"
    # The same machine, once it knows who it is, saves and is shown.
    code, _, err = huddle(stranger, "init", "--shared", str(shared), "--me", "Ben")
    assert code == 0, err
    code, _, err = huddle(stranger, "checkin", "--mood", "2", "--date", day)
    assert code == 0, err
    code, out, _ = huddle(env["ana"], "summary", "--date", day, "--json")
    assert "Ben" in json.loads(out)["checked_in"]
