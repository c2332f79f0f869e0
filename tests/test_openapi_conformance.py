"""docs/openapi.json against a real `huddle serve`, as a client would see it: schemathesis, every check.

schemathesis (a property-based API tester) generates requests from the
description, for each store (`--shared` and `--database`: one contract) —
valid ones, which the server must accept, and invalid ones, which it must
refuse — and checks every answer against it: status, headers, content type
and body schema, 405 with `Allow` for other methods, 401 without the token,
and, following the description's links from PUT to GET, that a stored record
can be read back. The server is `huddle serve` itself, on
127.0.0.1, so its own refusals (malformed requests, over-long heads) are
tested too. What JSON Schema cannot say about a PUT (its checksum, an away's
dates in order) is filled in as a client would, by tests/openapi_hooks.py.

The folder store is run with a fixed seed and once more with a random one,
the database with a random one, so over many runs the cases vary; a failure
names its seed, and `--seed N` repeats it.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

from huddle_tui.server.tokens import digest
from tests.conftest import ROOT
from tests.http_helpers import TOKEN, TOKEN_ENV, listening_socket
from tests.pg_helpers import database_url, postgres_server
from tests.test_server import ORG_TOKEN

OPENAPI = ROOT / "docs" / "openapi.json"
CONFIG = ROOT / "tests" / "schemathesis.toml"
ORG_TOKEN_ENV = "HUDDLE_TEST_ORG_TOKEN"
__all__ = ["database_url", "postgres_server"]  # fixtures, used by name
HOOKS = ROOT / "tests" / "openapi_hooks.py"
FIXED_SEED = 20261126
MAX_EXAMPLES = 25  # cases per operation and phase: about 10-20 s a run on a busy 2-core machine
DATABASE_EXAMPLES = 15  # the database's run: its store's own faults show in few cases; the suite stays quick
GIVE_UP_S = 300  # the longest a run may take before it is taken for a hang (never reached when well)


class Served(NamedTuple):
    """A running `huddle serve`: its URL, where its log goes, and the flags naming its store."""

    url: str
    log: Path
    flags: list[str]


def store_flags(mode: str, tmp_path: Path,
                request: pytest.FixtureRequest) -> tuple[list[str], dict[str, str]]:
    """The flags and environment of a `huddle serve` over an empty store: a folder, or a PostgreSQL database.

    Either way it takes the team's token and the org report's: in a tokens file (hashed, as `tokens
    add` writes), or the team's from $HUDDLE_SERVER_TOKENS and the org's hash in the database.
    """
    if mode == "folder":
        folder, tokens = tmp_path / "shared", tmp_path / "tokens"
        folder.mkdir()
        tokens.write_text(f"{TOKEN}\nsha256:{digest(ORG_TOKEN)} org\n")
        tokens.chmod(0o600)
        return ["--shared", str(folder), "--tokens-file", str(tokens)], {}
    import psycopg

    url = request.getfixturevalue("database_url")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("insert into huddle_tokens (digest, team) values (%s, null)", (digest(ORG_TOKEN),))
    return ["--database", url], {"HUDDLE_SERVER_TOKENS": TOKEN}


@pytest.fixture(params=["folder", "database"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    """`huddle serve` over an empty store (`--shared` or `--database`) on 127.0.0.1, stopped afterwards."""
    log = tmp_path / "server.log"
    flags, extra_env = store_flags(request.param, tmp_path, request)
    env = {**os.environ, **extra_env}
    # The port stays bound here (never listening) while the server starts, so no other test is
    # handed it meanwhile; Linux lets the server bind it too, as both sockets allow address reuse.
    with listening_socket() as held, log.open("wb") as out:
        port = int(held.getsockname()[1])
        if sys.platform != "linux":  # elsewhere a second bind of the same address is refused
            held.close()
        proc = subprocess.Popen([sys.executable, "-m", "huddle_tui", "serve", *flags, "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(url, proc, log)
            yield Served(url, log, flags)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def wait_until_serving(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Return once the server answers (it may take a while on a loaded machine; 60 s at most)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/v1/records", timeout=5)
            return
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"huddle serve did not start:\n{log.read_text('utf-8', 'replace')}")
            time.sleep(0.05)


class Run(NamedTuple):
    """What one schemathesis run said."""

    returncode: int
    output: str


def schemathesis(description: Path, url: str, seed: int, cwd: Path, *extra: str,
                 examples: int = MAX_EXAMPLES) -> Run:
    """Run `schemathesis run` with every check against `url`, the token given by the security scheme."""
    env = {**os.environ, TOKEN_ENV: TOKEN, ORG_TOKEN_ENV: ORG_TOKEN, "SCHEMATHESIS_HOOKS": str(HOOKS),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "--no-color",
               "run", str(description), "--url", url, "--checks", "all", "--seed", str(seed),
               "--max-examples", str(examples), "--generation-database", "none",
               "--request-timeout", "30", *extra]
    # cwd: schemathesis leaves a .hypothesis folder wherever it runs.
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=GIVE_UP_S)
    return Run(done.returncode, done.stdout + done.stderr)


# Both stores, the folder's with a fixed seed and a random one, the database's with a random one (a
# third run keeps the suite's time in bounds; over many runs its seeds vary).
@pytest.mark.parametrize(("served", "which"), [("folder", "fixed seed"), ("folder", "random seed"),
                                               ("database", "random seed")], indirect=["served"])
def test_schemathesis_finds_no_difference_between_the_description_and_the_server(
        which: str, served: Served, tmp_path: Path) -> None:
    """Every check, every phase (examples, coverage, fuzzing, stateful via links): 0 failures."""
    seed = FIXED_SEED if which == "fixed seed" else random.SystemRandom().randrange(2**31)
    run = schemathesis(OPENAPI, served.url, seed, tmp_path,
                       examples=DATABASE_EXAMPLES if "--database" in served.flags else MAX_EXAMPLES)
    server_log = served.log.read_text("utf-8", "replace")
    assert run.returncode == 0, (f"schemathesis failed with seed {seed} (repeat with --seed {seed}):\n"
                                 f"{run.output}\n--- server log ---\n{server_log}")
    assert "No issues found" in run.output and " passed" in run.output, run.output
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅  {phase}" in run.output, (phase, run.output)


@pytest.mark.parametrize("served", ["folder"], indirect=True)
def test_a_looser_description_is_caught(served: Served, tmp_path: Path) -> None:
    """Without the id's pattern, schemathesis sends ids the server refuses, and says so."""
    loose = json.loads(OPENAPI.read_text("utf-8"))
    del loose["components"]["schemas"]["RecordId"]["pattern"]
    description = tmp_path / "loose.json"
    description.write_text(json.dumps(loose), "utf-8")
    run = schemathesis(description, served.url, FIXED_SEED, tmp_path,
                       "--phases", "coverage", "--include-operation-id", "putRecord")
    assert run.returncode == 1, run.output
    assert "Schema-valid request rejected" in run.output and "must be a lowercase UUID" in run.output, \
        run.output
