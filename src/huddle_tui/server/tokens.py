"""The bearer tokens the reference server accepts, each scoped to one team or to the org's aggregates.

A tokens file holds one token a line (# comments). A line is either a plain
token, which is scoped to the default team (the single-team server of
before), or ``sha256:HEX team:NAME`` / ``sha256:HEX org``: the SHA-256 of a
token and its scope, as `huddle serve tokens add` writes it, so the file
never holds a usable secret. The server re-reads the file whenever it
changes, so a token revoked is refused from the next request on.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple, Protocol

from huddle_tui.errors import ConfigError
from huddle_tui.sync.credentials import check_private_file

ENV_VAR = "HUDDLE_SERVER_TOKENS"
MIN_TOKEN_LENGTH = 16
KEY_ID_LEN, KEY_ID_MIN = 12, 6  # a token's id: the first hex digits of its hash; revoke takes 6 or more
DEFAULT_TEAM = "default"
TEAM_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}\Z")
_HASHED = re.compile(r"sha256:([0-9a-f]{64})\s+(team:(\S+)|org)\Z")


class Scope(NamedTuple):
    """What a token may reach: one team's records (`team`), or the org's aggregates (team None)."""

    team: str | None
    key_id: str


class TokenSource(Protocol):
    """Where the server looks a presented token up: a tokens file (TokenBook) or the database."""

    def scope(self, given: str) -> Scope | None:
        """The token's scope, or None when it is not (or no longer) accepted."""

    def known(self, given: str) -> Scope | None:
        """The token's scope if it is answered without I/O (on the event loop), else None: ask `scope`."""

    def close(self) -> None:
        """Let go of what the source holds (a connection), when the server stops."""


def digest(token: str) -> str:
    """The hex SHA-256 of a token: what the tokens file keeps instead of it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_team_name(name: str) -> str:
    """A team name as the server keeps it, or a ConfigError saying what a name may be."""
    if not TEAM_NAME.match(name):
        raise ConfigError(f"team name {name!r}: use 1 to 63 lowercase letters, digits, - or _ "
                          "(starting with a letter or digit)")
    return name


def _parse(lines: list[str], where: str) -> dict[str, Scope]:
    """Digest → scope for every token line (plain tokens are hashed here, scoped to the default team)."""
    book: dict[str, Scope] = {}
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        hashed = _HASHED.match(line)
        if hashed:
            hexdigest, team = hashed.group(1), hashed.group(3)
            if team is not None:
                check_team_name(team)
            book[hexdigest] = Scope(team, hexdigest[:KEY_ID_LEN])
        elif line.startswith("sha256:"):
            raise ConfigError(f"{where}: line {number} is not `sha256:HEX team:NAME` or `sha256:HEX org`")
        elif len(line) < MIN_TOKEN_LENGTH:
            raise ConfigError(f"{where}: token on line {number} is shorter than {MIN_TOKEN_LENGTH} "
                              "characters; use a long random one: huddle serve tokens add --team NAME")
        else:
            book[digest(line)] = Scope(DEFAULT_TEAM, digest(line)[:KEY_ID_LEN])
    return book


def parse_fixed(tokens: tuple[str, ...], where: str) -> dict[str, Scope]:
    """Digest → scope of tokens given at start (plain ones: the default team's)."""
    return _parse(list(tokens), where)


def new_token() -> str:
    """A new random token, recognisable by its prefix (as `huddle serve tokens add` prints it)."""
    return "hdl_" + secrets.token_urlsafe(32)


def _read_lines(path: Path) -> list[str]:
    """The lines of an owner-only tokens file."""
    check_private_file(path, "tokens file")
    try:
        return path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: tokens file cannot be read ({type(exc).__name__})") from None


def load_tokens(tokens_file: Path | None, environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Plain tokens from --tokens-file or $HUDDLE_SERVER_TOKENS (comma-separated), for the default team."""
    env = os.environ if environ is None else environ
    if tokens_file is not None:
        lines = [t.strip() for t in _read_lines(tokens_file)]
        tokens = [t for t in lines if t and not t.startswith(("#", "sha256:"))]
        where = str(tokens_file)
    else:
        tokens = [t.strip() for t in env.get(ENV_VAR, "").split(",") if t.strip()]
        where = f"${ENV_VAR}"
    if not tokens:
        raise ConfigError(f"no tokens in {where}: the server refuses to start without one "
                          f"(set {ENV_VAR}=token1,token2, pass --tokens-file FILE, or create one "
                          "with huddle serve tokens add --tokens-file FILE --team NAME)")
    _parse(tokens, where)
    return tuple(tokens)


class TokenBook:
    """The accepted tokens: fixed ones given at start, plus a tokens file re-read whenever it changes."""

    def __init__(self, tokens: tuple[str, ...] = (), path: Path | None = None) -> None:
        """Hash the fixed tokens; read the file (refusing to start on a bad one)."""
        self.fixed = parse_fixed(tokens, "tokens")
        self.path = path
        self._seen: tuple[int, int, int] | None = None
        self._book: dict[str, Scope] = {}
        self._lock = threading.Lock()
        if path is not None:
            self._refresh()
        if not self.fixed and not self._book:
            raise ConfigError(f"no tokens in {path or '$' + ENV_VAR}: the server refuses to start "
                              f"without one (huddle serve tokens add --tokens-file FILE --team NAME, "
                              f"or set {ENV_VAR}=token1,token2)")

    def _refresh(self) -> None:
        """Re-read the file if its identity, size or time changed (a revoked token goes at once)."""
        assert self.path is not None
        try:
            st = self.path.stat()
            seen = (st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            seen = (0, 0, 0)
        with self._lock:
            if seen == self._seen:
                return
            self._book = _parse(_read_lines(self.path), str(self.path)) if seen != (0, 0, 0) else {}
            self._seen = seen

    def known(self, given: str) -> Scope | None:
        """The file is a stat and a hash away: `scope` itself, on the event loop."""
        return self.scope(given)

    def close(self) -> None:
        """Nothing to let go: the file is read and closed on each change."""

    def scope(self, given: str) -> Scope | None:
        """The scope of a presented token, or None when it is not (or no longer) accepted."""
        if self.path is not None:
            try:
                self._refresh()
            except ConfigError:  # a half-edited file: keep the last good book rather than fail open
                pass
        wanted = digest(given)
        found = None
        for book in (self.fixed, self._book):  # hashes compared in constant time, each entry
            for hexdigest, scope in book.items():
                if hmac.compare_digest(hexdigest, wanted):
                    found = scope
        return found


def token_ok(given: str, tokens: tuple[str, ...]) -> bool:
    """Compare against every token in constant time (no early exit that timing could reveal)."""
    found = False
    given_bytes = given.encode("utf-8")
    for token in tokens:
        found |= hmac.compare_digest(given_bytes, token.encode("utf-8"))
    return found


# ---------------------------------------------------------------- management


def issue(team: str | None) -> tuple[str, str]:
    """A new random token for `team` (a name checked; None: the org's aggregates) and its hash."""
    if team is not None:
        check_team_name(team)
    token = new_token()
    return token, digest(token)


def add_token(path: Path, team: str | None) -> tuple[str, str]:
    """Append a new random token's hash for `team` (None: org aggregates) to the file; (token, id)."""
    token, hexdigest = issue(team)
    if path.exists():
        check_private_file(path, "tokens file")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(f"sha256:{hexdigest} {'team:' + team if team else 'org'}\n")
        out.flush()
        os.fsync(out.fileno())
    return token, hexdigest[:KEY_ID_LEN]


def list_tokens(path: Path) -> list[Scope]:
    """Every token in the file with its scope (plain tokens by the id of their hash)."""
    return list(_parse(_read_lines(path), str(path)).values())


def revoke_token(path: Path, key_id: str) -> int:
    """Remove the token whose id (a prefix of its hash, 6+ characters) is `key_id`; how many removed."""
    if len(key_id) < KEY_ID_MIN:
        raise ConfigError(f"give at least {KEY_ID_MIN} characters of the token's id "
                          "(see huddle serve tokens list)")
    lines = _read_lines(path)
    keep, removed = [], 0
    for line in lines:
        stripped = line.strip()
        hashed = _HASHED.match(stripped)
        plain = stripped and not stripped.startswith("#") and not hashed
        hexdigest = hashed.group(1) if hashed else digest(stripped) if plain else ""
        if hexdigest and hexdigest.startswith(key_id):
            removed += 1
        else:
            keep.append(line)
    if removed > 1:
        raise ConfigError(f"{key_id} matches {removed} tokens; give more of its id")
    if removed:
        temp = path.with_name(path.name + ".new")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in keep))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    return removed
