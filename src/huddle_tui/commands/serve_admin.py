"""`huddle serve tokens|keys|migrate`: the server's tokens, members' keys and schema; opening its store."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from huddle_tui.errors import UsageError

if TYPE_CHECKING:
    from huddle_tui.server.keys import KeyBook
    from huddle_tui.server.tokens import Scope, TokenSource

DATABASE_ENV = "HUDDLE_DATABASE_URL"


def database_url(args: argparse.Namespace) -> str | None:
    """--database, else $HUDDLE_DATABASE_URL, else None (the folder store)."""
    return str(args.database or os.environ.get(DATABASE_ENV) or "") or None


def open_store(args: argparse.Namespace) -> tuple[Any, str]:
    """The store `huddle serve` keeps records in, and how to name it in its first line (no password)."""
    url = database_url(args)
    if url and args.shared:
        raise UsageError("give --shared DIR or --database URL, not both")
    if url and args.tokens_file:
        raise UsageError("with --database, tokens live in the database, the same for every server "
                         "process: drop --tokens-file and add them with "
                         "`huddle serve tokens add --database URL --team NAME`")
    if url:
        from huddle_tui.server.pgstore import PostgresRecords, describe

        return PostgresRecords(url, listen=True), describe(url)
    if not args.shared:
        raise UsageError("huddle serve needs --shared DIR (a folder) or --database URL (PostgreSQL)")
    from huddle_tui.server.store import FolderRecords

    shared = Path(args.shared).expanduser()
    if not shared.is_dir():
        raise UsageError(f"--shared {shared}: no such folder")
    from huddle_tui.server.keys import keys_path

    return FolderRecords(shared), f"{shared} (members' keys pinned in {keys_path(shared)})"


def run(args: argparse.Namespace) -> int:
    """Dispatch the action words after `huddle serve`."""
    words = list(args.action)
    if words == ["migrate"]:
        return migrate(args)
    if words[:1] == ["tokens"] and len(words) >= 2:
        return tokens(args, words[1], words[2:])
    if words[:1] == ["keys"] and len(words) == 2:
        return keys(args, words[1])
    raise UsageError(f"unknown action {' '.join(words)!r}: use `tokens add --team NAME`, "
                     "`tokens list`, `tokens revoke ID`, `keys list`, `keys accept` or `migrate`")


def migrate(args: argparse.Namespace) -> int:
    """Bring the PostgreSQL schema up to date (each migration once, in order)."""
    url = database_url(args)
    if not url:
        raise UsageError(f"huddle serve migrate needs --database URL (or ${DATABASE_ENV})")
    from huddle_tui.server.pgstore import describe, migrate_database

    before, after = migrate_database(url)
    state = "already up to date" if before == after else f"migrated from version {before} to {after}"
    print(f"{describe(url)}: schema {state}")
    return 0


class TokenAdmin(NamedTuple):
    """Where `huddle serve tokens` keeps tokens: a tokens file or the database, and how to name it."""

    add: Callable[[str | None], tuple[str, str]]
    list: Callable[[], list[Scope]]
    revoke: Callable[[str], int]
    where: str
    refused_from: str  # when every server refuses a revoked token


def token_admin(args: argparse.Namespace) -> TokenAdmin:
    """--tokens-file FILE, else --database URL (or $HUDDLE_DATABASE_URL): the tokens to manage."""
    if args.tokens_file and args.database:
        raise UsageError("give --tokens-file FILE or --database URL, not both")
    if args.tokens_file:
        from huddle_tui.server import tokens as book

        path = Path(args.tokens_file).expanduser()
        return TokenAdmin(partial(book.add_token, path), partial(book.list_tokens, path),
                          partial(book.revoke_token, path), str(path), "from its next request")
    url = database_url(args)
    if url:
        from huddle_tui.server import pgtokens
        from huddle_tui.server.pgstore import describe

        return TokenAdmin(partial(pgtokens.add_token, url), partial(pgtokens.list_tokens, url),
                          partial(pgtokens.revoke_token, url), describe(url),
                          "within moments (each is told at once and forgets the tokens it kept)")
    raise UsageError("huddle serve tokens needs --database URL (tokens every server process shares) "
                     "or --tokens-file FILE (one server's tokens, mode 0600)")


def tokens(args: argparse.Namespace, verb: str, rest: list[str]) -> int:
    """Add, list or revoke tokens (only their hashes are kept, in the file or the database)."""
    admin = token_admin(args)
    if verb == "add" and not rest:
        if bool(args.team) == bool(args.org):
            raise UsageError("tokens add needs --team NAME or --org (one of them)")
        token, key_id = admin.add(None if args.org else args.team)
        scope = f"team {args.team}" if args.team else "the org report"
        print(f"added token {key_id} for {scope}. It is shown only now; give it to the team:")
        print(token)
        return 0
    if verb == "list" and not rest:
        for entry in admin.list():
            print(f"{entry.key_id}  {'team ' + entry.team if entry.team else 'org report'}")
        return 0
    if verb == "revoke" and len(rest) == 1:
        if not admin.revoke(rest[0]):
            raise UsageError(f"no token with id {rest[0]} in {admin.where} (see huddle serve tokens list)")
        print(f"revoked {rest[0]}: every server on it refuses it {admin.refused_from}")
        return 0
    raise UsageError("use `tokens add --team NAME` (or --org), `tokens list` or `tokens revoke ID`")


def open_tokens(args: argparse.Namespace, store: Any) -> TokenSource:
    """The tokens served: the database's with --database, else the tokens file's or $HUDDLE_SERVER_TOKENS."""
    from huddle_tui.server.tokens import ENV_VAR, TokenBook, load_tokens

    if database_url(args):
        from huddle_tui.server.pgtokens import DatabaseTokens

        fixed = tuple(t.strip() for t in os.environ.get(ENV_VAR, "").split(",") if t.strip())
        return DatabaseTokens(store.pool, fixed, changes=store.changes)
    if args.tokens_file:
        return TokenBook((), Path(args.tokens_file).expanduser())
    return TokenBook(load_tokens(None))


def key_book(args: argparse.Namespace) -> tuple[KeyBook, str]:
    """The members' keys the server pinned: in --database (or $HUDDLE_DATABASE_URL), else for --shared."""
    url = database_url(args)
    if url and args.shared:
        raise UsageError("give --shared DIR or --database URL, not both")
    if url:
        from huddle_tui.errors import ConfigError
        from huddle_tui.server.pgkeys import PostgresKeys
        from huddle_tui.server.pgstore import LATEST, connect, describe, schema_version

        with connect(url) as conn:
            version = schema_version(conn)
        if version < LATEST:
            raise ConfigError(f"{describe(url)}: schema version {version}, keys need {LATEST}: "
                              "run `huddle serve migrate --database URL` first")
        return PostgresKeys(partial(connect, url)), describe(url)
    if not args.shared:
        raise UsageError("huddle serve keys needs --shared DIR (the folder the server serves) "
                         "or --database URL")
    from huddle_tui.server.keys import SqliteKeys, keys_path

    path = keys_path(Path(args.shared).expanduser())
    return SqliteKeys(path), str(path)


def keys(args: argparse.Namespace, verb: str) -> int:
    """List the keys pinned for each team's members (and those waiting), or accept a waiting one."""
    import shlex

    from huddle_tui.server.tokens import DEFAULT_TEAM, check_team_name
    from huddle_tui.storage.signature import fingerprint
    from huddle_tui.text import printable

    if verb not in ("list", "accept"):
        raise UsageError("use `keys list` or `keys accept --team NAME --member NAME --fingerprint DIGITS`")
    team = check_team_name(args.team) if args.team else None
    if verb == "accept" and not (args.member and args.fingerprint):
        raise UsageError("keys accept needs --member NAME and --fingerprint DIGITS "
                         "(as `huddle serve keys list` and `huddle keys` show it)")
    book, where = key_book(args)
    try:
        if verb == "accept":
            pinned = book.accept(team or DEFAULT_TEAM, args.member.strip(), args.fingerprint)
            print(f"accepted {fingerprint(pinned.key)} as {printable(pinned.name)}'s key in team "
                  f"{pinned.team}: records it signs are accepted from the next request on "
                  "(their writer can send what was refused again: huddle sync --retry-dead)")
            return 0
        rows = book.listing(team)
    finally:
        book.close()
    if not rows:
        print(f"no keys pinned in {where}" + (f" for team {team}" if team else ""))
    last = None
    for row in rows:
        if row.team != last:
            print(f"team {row.team}")
            last = row.team
        label = f" ({printable(row.label)})" if row.label else ""
        print(f"  {printable(row.name)}: {fingerprint(row.key)}  {row.how} {row.since}{label}")
        if row.how == "waiting":
            digits = fingerprint(row.key)[:11]
            print(f"    once the team has compared it: huddle serve keys accept --team {row.team} "
                  f"--member {shlex.quote(printable(row.name))} --fingerprint \"{digits}\"")
    return 0
