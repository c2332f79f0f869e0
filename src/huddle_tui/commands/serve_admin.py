"""`huddle serve tokens add|list|revoke` and `huddle serve migrate`, and opening the server's store."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from huddle_tui.errors import UsageError

DATABASE_ENV = "HUDDLE_DATABASE_URL"


def database_url(args: argparse.Namespace) -> str | None:
    """--database, else $HUDDLE_DATABASE_URL, else None (the folder store)."""
    return str(args.database or os.environ.get(DATABASE_ENV) or "") or None


def open_store(args: argparse.Namespace) -> tuple[Any, str]:
    """The store `huddle serve` keeps records in, and how to name it in its first line (no password)."""
    url = database_url(args)
    if url and args.shared:
        raise UsageError("give --shared DIR or --database URL, not both")
    if url:
        from huddle_tui.server.pgstore import PostgresRecords, describe

        return PostgresRecords(url), describe(url)
    if not args.shared:
        raise UsageError("huddle serve needs --shared DIR (a folder) or --database URL (PostgreSQL)")
    from huddle_tui.server.store import FolderRecords

    shared = Path(args.shared).expanduser()
    if not shared.is_dir():
        raise UsageError(f"--shared {shared}: no such folder")
    return FolderRecords(shared), str(shared)


def run(args: argparse.Namespace) -> int:
    """Dispatch the action words after `huddle serve`."""
    words = list(args.action)
    if words == ["migrate"]:
        return migrate(args)
    if words[:1] == ["tokens"] and len(words) >= 2:
        return tokens(args, words[1], words[2:])
    raise UsageError(f"unknown action {' '.join(words)!r}: use `tokens add --team NAME`, "
                     "`tokens list`, `tokens revoke ID` or `migrate`")


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


def tokens(args: argparse.Namespace, verb: str, rest: list[str]) -> int:
    """Add, list or revoke tokens in --tokens-file (which keeps only their hashes)."""
    from huddle_tui.server import tokens as book

    if not args.tokens_file:
        raise UsageError("huddle serve tokens needs --tokens-file FILE (the server's tokens, mode 0600)")
    path = Path(args.tokens_file).expanduser()
    if verb == "add" and not rest:
        if bool(args.team) == bool(args.org):
            raise UsageError("tokens add needs --team NAME or --org (one of them)")
        token, key_id = book.add_token(path, None if args.org else args.team)
        scope = f"team {args.team}" if args.team else "the org report"
        print(f"added token {key_id} for {scope}. It is shown only now; give it to the team:")
        print(token)
        return 0
    if verb == "list" and not rest:
        for entry in book.list_tokens(path):
            print(f"{entry.key_id}  {'team ' + entry.team if entry.team else 'org report'}")
        return 0
    if verb == "revoke" and len(rest) == 1:
        if not book.revoke_token(path, rest[0]):
            raise UsageError(f"no token with id {rest[0]} in {path} (see huddle serve tokens list)")
        print(f"revoked {rest[0]}: the server refuses it from its next request")
        return 0
    raise UsageError("use `tokens add --team NAME` (or --org), `tokens list` or `tokens revoke ID`")
