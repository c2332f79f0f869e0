"""A real PostgreSQL for the server's tests: $HUDDLE_TEST_DATABASE_URL, or a throwaway cluster.

Without the variable, a cluster is made in a temporary folder with the
installed initdb and pg_ctl, listening only on a Unix socket there, and
removed at the end (as root, it runs as `nobody`: PostgreSQL refuses root).
Each test gets a database of its own, migrated with `huddle serve migrate`'s
code. Only when no cluster can start are the PostgreSQL cases skipped, each
with the reason, and a warning says so in the summary.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

URL_ENV = "HUDDLE_TEST_DATABASE_URL"


def _bindir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, /usr/local/bin, or Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    for candidate in ["/usr/local/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


class Cluster:
    """A throwaway PostgreSQL cluster on a Unix socket in a temporary folder."""

    def __init__(self) -> None:
        """Initialise and start it, or raise RuntimeError saying why it cannot."""
        bindir = _bindir()
        if bindir is None:
            raise RuntimeError("no initdb/pg_ctl found (install Debian's postgresql package)")
        self.base = Path(tempfile.mkdtemp(prefix="hpg"))  # short: a socket path has ~100 bytes
        self.data = self.base / "data"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.base, "nobody", "nogroup" if _has_group("nogroup") else None)
            self.prefix = ["runuser", "-u", "nobody", "--"]
        self.pg_ctl = str(bindir / "pg_ctl")
        self._run([str(bindir / "initdb"), "-D", str(self.data), "-U", "huddle", "--auth=trust",
                   "-E", "UTF8", "--no-sync", "--locale=C"])
        options = f"-k {self.base} -c listen_addresses='' -p 5432 -c fsync=off -c max_connections=200"
        self._run([self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.base / "log"),
                   "-w", "-t", "60", "start"])
        self.url = f"postgresql://huddle@/postgres?host={self.base}&port=5432"

    def _run(self, argv: list[str]) -> None:
        """Run a PostgreSQL tool (as nobody when we are root); RuntimeError with its last line."""
        done = subprocess.run([*self.prefix, *argv], capture_output=True, text=True, timeout=120,
                              cwd=self.base)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"{Path(argv[0]).name} failed: {tail[0]}")

    def stop(self) -> None:
        """Stop the cluster at once and remove its folder."""
        try:
            self._run([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"])
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.base, ignore_errors=True)


def _has_group(name: str) -> bool:
    """Whether a group exists (nobody's group is nogroup on Debian)."""
    import grp

    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


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
