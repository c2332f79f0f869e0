"""A throwaway PostgreSQL cluster on a Unix socket, for the server's tests and its benchmark.

It is made in a temporary folder with the installed initdb and pg_ctl,
listens only on a socket there, and is removed by stop() (as root, it runs
as `nobody`: PostgreSQL refuses root). Plain Python, no pytest: the
benchmarks start one too.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path


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

    def __init__(self, *, durable: bool = False) -> None:
        """Initialise and start it (fsync off unless `durable`), or raise RuntimeError saying why not."""
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
        options = (f"-k {self.base} -c listen_addresses='' -p 5432 -c max_connections=200"
                   f" -c fsync={'on' if durable else 'off'}")
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
