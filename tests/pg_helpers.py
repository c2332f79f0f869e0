"""A real PostgreSQL for the server's tests: $HUDDLE_TEST_DATABASE_URL, or a throwaway cluster.

Without the variable, a throwaway cluster is started (tests/pg_cluster.py)
and removed at the end. Each test gets a database of its own, migrated with `huddle serve migrate`'s
code. Only when no cluster can start are the PostgreSQL cases skipped, each
with the reason, and a warning says so in the summary.
"""

from __future__ import annotations

import os
import subprocess
import uuid
import warnings
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.pg_cluster import Cluster

URL_ENV = "HUDDLE_TEST_DATABASE_URL"


def with_database(url: str, name: str) -> str:
    """The same server URL naming another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """An admin URL of a running PostgreSQL for this session (skipped, loudly, if none can start)."""
    given = os.environ.get(URL_ENV)
    if given:
        yield given
        return
    try:
        cluster = Cluster()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        reason = f"PostgreSQL could not start, its cases are NOT run: {exc}"
        warnings.warn(reason, pytest.PytestWarning, stacklevel=1)
        pytest.skip(reason)
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture
def database_url(postgres_server: str) -> Iterator[str]:
    """A fresh, migrated database for one test, dropped afterwards."""
    import psycopg

    from huddle_tui.server.pgstore import migrate_database

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'create database "{name}"'.encode())
    url = with_database(postgres_server, name)
    migrate_database(url)
    yield url
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)'.encode())
