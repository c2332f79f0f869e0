"""`huddle doctor`: check the config, the shared folder and the endpoints, and say what to do."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from huddle_tui.commands.common import add_json_flag, emit_json, open_context
from huddle_tui.config.team import Endpoint, TeamConfig
from huddle_tui.config.user import UserConfig, who_am_i
from huddle_tui.errors import ConfigError, ExitCode, HuddleError
from huddle_tui.journal import Journal
from huddle_tui.storage.fileio import make_private_dir, temp_path_for
from huddle_tui.storage.folder import History, clean_own_temp_files
from huddle_tui.text import printable


@dataclass
class Check:
    """One line of the report: what was checked, whether it is fine, what to do."""

    name: str
    ok: bool
    detail: str
    advice: str = ""
    fatal: bool = False
    problem: bool = False  # huddle works, but the config asks for something it will refuse


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle doctor`."""
    p.add_argument("--fix", action="store_true",
                   help="remove huddle's own temp files left by a crash (never a record)")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    """Run every check, print the report, exit non-zero only when huddle cannot work."""
    checks: list[Check] = []
    try:
        ctx = open_context(args)
    except ConfigError as exc:
        checks.append(Check("config", False, exc.message, "fix the file named above", True))
        _print(checks, {}, args.json)
        return int(ExitCode.CONFIG)
    team = ctx.team
    where = str(team.path) if team.path else "none found: using a local folder to try things out"
    checks.append(Check("config", True, f"{where} — team {team.name!r}, {len(team.members)} members",
                        "" if team.path else "run `huddle init --shared DIR` to share with your team"))
    checks.append(_me(team, ctx.user))
    checks.append(_writable("shared folder", team.shared_dir))
    checks.append(_writable("private folder", ctx.journal.private.root, private=True))
    history = ctx.journal.shared.read(verify=True)  # every file, not the cache's word
    removed = clean_own_temp_files(history) if args.fix else []
    checks += _history_checks(history, removed)
    keys_check, waiting = _keys(ctx.journal)
    checks.append(keys_check)
    checks += _owners(team.shared_dir)
    checks += [_endpoint(e, ctx.user) for e in team.endpoints]
    extra = {
        "records": len(history.records), "files": history.files_read,
        "corrupt": len(history.problems),
        "corrupt_files": [{"path": str(p.path), "reason": p.reason} for p in history.problems],
        "conflicted_copies": len(history.foreign_copies),
        "temp_files": len(history.temp_files) - len(removed), "removed_temp_files": len(removed),
        "unsigned": sum(1 for r in history.records.values() if not r.signer),
        "waiting_keys": waiting,
    }
    _print(checks, extra, args.json)
    if any(c.fatal for c in checks):
        return int(ExitCode.STORE)
    return int(ExitCode.CONFIG) if any(c.problem for c in checks) else 0


def _keys(journal: Journal) -> tuple[Check, list[dict[str, str]]]:
    """Keys waiting to be confirmed here, and roster edits since this machine last looked."""
    from huddle_tui.storage.signature import fingerprint

    trust = journal.authorship()
    if trust is None:
        return Check("keys", True, "nobody's records are signed yet: every record is read as before keys",
                     "set `me` (huddle init --me NAME): your records are then signed"), []
    waiting = [{"member": trust.roster.get(m, m), "fingerprint": fingerprint(c.key), "label": c.label}
               for m, claims in sorted(trust.waiting.items()) for c in claims]
    notes = []
    if waiting:
        notes.append(f"{len(waiting)} key(s) wait to be confirmed ("
                     + ", ".join(sorted({w["member"] for w in waiting})) + "): their records are not shown")
    if trust.added:
        notes.append("added to huddle.toml since this machine last looked: "
                     + ", ".join(trust.roster.get(m, m) for m in trust.added))
    if trust.removed:
        notes.append("removed from huddle.toml: " + ", ".join(trust.removed))
    if not notes:
        return Check("keys", True, f"{len(trust.trusted)} key(s) trusted, none waiting"), waiting
    advice = "compare fingerprints with each person (`huddle keys`), then `huddle keys confirm NAME`"
    return Check("keys", False, "; ".join(notes), advice), waiting


def _me(team: TeamConfig, user: UserConfig) -> Check:
    """Whether the user config's `me` names a member: `huddle checkin` without --member needs it.

    A demo team names this machine's member in its keyring instead (`huddle
    demo` makes whoever runs it one of its members), and the one member of a
    local team is whoever runs it: neither is a problem.
    """
    here = who_am_i(user, team)
    if team.path is None and not user.me and here:
        return Check("me", True, f"{here}, the one member of this local team: records are signed")
    if team.path is not None and (not user.me or team.member(user.me) is None):
        member = team.member(here) if here else None
        if member is not None:
            return Check("me", True, f"{member.name} (this machine's member in this folder: `huddle demo`)")
    if not user.me:
        return Check("me", True, "not set: give --member to `huddle checkin`; records from here are unsigned",
                     "run `huddle init --shared DIR --me NAME`: teammates set unsigned records aside")
    member = team.member(user.me)
    if member is None:
        names = ", ".join(m.name for m in team.members)
        return Check("me", False, f"{user.me!r} is not on {team.name}'s roster ({names})",
                     "fix `me` in your user config, or ask for your name to be added to huddle.toml",
                     problem=True)
    return Check("me", True, f"{member.name}")


def _writable(name: str, folder: Path, *, private: bool = False) -> Check:
    """Can we create (and remove) a file in `folder`? (A private one is made 0700.)"""
    try:
        if private:
            make_private_dir(folder)
        else:
            folder.mkdir(parents=True, exist_ok=True)
        probe = temp_path_for(folder / "probe")
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return Check(name, False, f"{folder}: not writable ({exc.strerror or exc})",
                     "check the folder's permissions and that the drive is mounted", True)
    return Check(name, True, f"{folder}: writable")


def _history_checks(history: History, removed: list[Path]) -> list[Check]:
    """Corrupt files, sync tools' conflicted copies and temp files."""
    out = [Check("records", True, f"{len(history.records)} records in {history.files_read} files")]
    if history.problems:
        listed = "; ".join(f"{p.path}: {p.reason}" for p in history.problems[:5])
        more = f" (+{len(history.problems) - 5} more)" if len(history.problems) > 5 else ""
        out.append(Check("corrupt files", False, f"{len(history.problems)} set aside: {listed}{more}",
                         "they are skipped, never deleted; restore them from a backup or "
                         "a teammate's copy, or move them out of records/"))
    if history.foreign_copies:
        out.append(Check("conflicted copies", True,
                         f"{len(history.foreign_copies)} sync-tool copies read and merged by id",
                         "harmless: identical copies collapse and the highest version wins"))
    own = [p for p in history.temp_files if p not in removed]
    if removed:
        out.append(Check("temp files", True, f"removed {len(removed)} leftover temp files"))
    if own:
        out.append(Check("temp files", True, f"{len(own)} temp files (skipped by readers)",
                         "`huddle doctor --fix` removes huddle's own once they are a minute old"))
    return out


def _owners(shared: Path) -> list[Check]:
    """Warn when record files belong to several users: a file's owner can point at its author."""
    import os

    uids: set[int] = set()
    for folder, _, files in os.walk(shared / "records"):  # os.walk does not follow links
        for name in files:
            try:
                uids.add(os.lstat(os.path.join(folder, name)).st_uid)
            except OSError:
                continue
    if len(uids) <= 1:
        return []
    return [Check("anonymity", False, f"record files here belong to {len(uids)} different users",
                  "on this shared folder a file's owner shows who wrote it, anonymous answers "
                  "included; share through a sync tool or the HTTP endpoint instead (docs/privacy.md)")]


def _endpoint(endpoint: Endpoint, user: UserConfig) -> Check:
    """Is it allowed, approved here, its secret usable and its host reachable? (No token is sent.)

    Plain http to a host that is not loopback is a problem; an endpoint not
    approved on this machine (its CA bundle changed, say) is a warning, and
    is not contacted at all. The TLS check trusts the CA bundle's bytes the
    approval check hashed, as sync does.
    """
    from huddle_tui.sync.credentials import endpoint_label, resolve_secret
    from huddle_tui.sync.trust import NOT_APPROVED, describe, http_refusal, verdict

    name = endpoint_label(endpoint)
    refused = http_refusal(endpoint.url, user.allow_http)
    if refused is not None:
        return Check(name, False, refused, "nothing is sent there; check-ins wait in the outbox",
                     problem=True)
    checked = verdict(endpoint, user.trusted)
    if not checked.approved:
        why = f" ({checked.reason})" if checked.reason else ""
        return Check(name, False, f"{NOT_APPROVED}{why}: {describe(endpoint)}",
                     "run `huddle trust` to review it; check-ins wait in the outbox meanwhile")
    try:
        resolve_secret(endpoint)  # a missing variable, or a token file others can read
    except HuddleError as exc:
        return Check(name, False, exc.message, "fix the secret; check-ins wait in the outbox meanwhile")
    import ssl

    import httpx

    from huddle_tui.sync.client import tls_verify

    try:
        verify = tls_verify(endpoint, checked.ca_pem)
    except (OSError, ssl.SSLError) as exc:
        return Check(name, False, f"CA bundle {endpoint.ca_bundle} cannot be used "
                     f"({type(exc).__name__}: {exc})",
                     "point ca_bundle at a PEM file of CA certificates, then run `huddle trust` again")
    try:
        with httpx.Client(timeout=3.0, verify=verify) as c:
            response = c.head(endpoint.url)
        return Check(name, True, f"{_host(endpoint.url)} answered HTTP {response.status_code}")
    except httpx.HTTPError as exc:
        return Check(name, False, f"{_host(endpoint.url)} unreachable ({type(exc).__name__})",
                     "check the URL and your network; check-ins wait in the outbox meanwhile")


def _host(url: str) -> str:
    """The scheme and host of a URL, never its path or query (they may hold secrets)."""
    parts = url.split("/")
    return "/".join(parts[:3])


def _print(checks: list[Check], extra: dict[str, object], as_json: bool) -> None:
    """The report, for people or for scripts."""
    if as_json:
        emit_json({"ok": all(c.ok for c in checks),
                   "checks": [c.__dict__ for c in checks], **extra})
        return
    for c in checks:
        mark = "ok  " if c.ok else "FAIL" if c.fatal or c.problem else "warn"
        print(f"[{mark}] {printable(c.name)}: {printable(c.detail)}")  # an endpoint's name is a teammate's
        if (c.advice and not c.ok) or (c.advice and c.name == "config"):
            print(f"       → {printable(c.advice)}")
