"""Two `huddle serve` processes on one PostgreSQL database, as behind a load balancer.

Eight clients PUT overlapping record versions through both at once: each
version has exactly one winner (one 201, the rest 200), is stored once, and
both processes' `since` pulls return every record once. Then one process is
SIGKILLed under load: nothing it acknowledged is lost. Tokens are the
database's: one added or revoked with `huddle serve tokens` is accepted or
refused by both processes (at once, or within moments of a revocation: each
kept the tokens it accepted and is told when one is revoked), with no restart.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from huddle_tui.model.ids import random_id
from huddle_tui.server.pgtokens import add_token
from huddle_tui.storage.envelope import Record, encode
from huddle_tui.sync import wire
from tests.conftest import cli
from tests.http_helpers import free_port
from tests.pg_helpers import database_url, postgres_server

__all__ = ["database_url", "postgres_server"]  # fixtures, used by name
CLIENTS, PUTS_EACH, DISTINCT = 8, 500, 1000


class Serve:
    """One `huddle serve --database` process on a free port of 127.0.0.1."""

    def __init__(self, url: str, log: Path) -> None:
        """Start it (its tokens are the database's) and wait until /readyz answers 200."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "huddle_tui", "serve", "--database", url,
             "--port", str(self.port), "--log-format", "json", "--access-log"],
            stdout=self.log, stderr=subprocess.STDOUT, env=os.environ.copy())
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.base + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"huddle serve did not start: {log.read_text()[-500:]}")
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Signal the process and wait for it."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=30)
        self.log.close()


@pytest.fixture
def two(database_url: str, tmp_path: Path) -> Iterator[tuple[Serve, Serve, str]]:
    """Two server processes on one fresh database, and a team token for both (from the database)."""
    token, _ = add_token(database_url, "alpha")
    first = Serve(database_url, tmp_path / "a.log")
    try:
        second = Serve(database_url, tmp_path / "b.log")
    except RuntimeError:
        first.stop()
        raise
    yield first, second, token
    first.stop()
    second.stop()
    assert second.proc.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM once done
    for log in (tmp_path / "a.log", tmp_path / "b.log"):
        text = log.read_text()
        assert token not in text and '"mood"' not in text and "status s" not in text
        lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        assert any(line["message"].startswith("Uvicorn running on") for line in lines)
        assert any(" /v1/records" in line["message"] for line in lines)  # the access log
    assert "Finished server process" in (tmp_path / "b.log").read_text()  # in-flight requests done


def versions(count: int) -> list[tuple[Record, bytes]]:
    """`count` distinct check-in versions, as clients would send them."""
    return [encode("checkin", random_id(), 1, "2026-11-26", "2026-11-26T09:00:00+00:00",
                   {"mood": 1 + i % 5, "status": f"s{i}", "concerns": [], "visibility": "team",
                    "source": "cli", "member": "Ana"}) for i in range(count)]


def pull_all(base: str, token: str) -> list[str]:
    """Every record id a team's `since` pull returns, page by page."""
    ids: list[str] = []
    cursor: str | None = None
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        while True:
            params: dict[str, str | int] = {"limit": 1000, **({"since": cursor} if cursor else {})}
            page = c.get("/v1/records", params=params).json()
            ids += [r["id"] for r in page["records"]]
            cursor = page["cursor"]
            if not page["more"]:
                return ids


def test_concurrent_puts_through_two_processes_give_one_winner_each(
        two: tuple[Serve, Serve, str], database_url: str) -> None:
    """8 clients × 500 PUTs of 1,000 versions across two processes: stored once, pulled whole from both."""
    first, second, token = two
    records = versions(DISTINCT)
    outcomes: list[tuple[str, int, bool]] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        """PUT 500 versions, each also PUT by three other clients, alternating between the processes."""
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(headers=headers, timeout=60) as c:
            for j in range(PUTS_EACH):
                record, _ = records[(number * (DISTINCT // CLIENTS) * 2 + j) % DISTINCT]
                base = (first, second)[(number + j) % 2].base
                answer = c.put(f"{base}/v1/records/{record.id}", content=wire.body(record))
                with lock:
                    outcomes.append((record.id, answer.status_code, bool(answer.json().get("created"))))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == CLIENTS * PUTS_EACH
    assert {status for _, status, _ in outcomes} <= {200, 201}
    winners = Counter(rid for rid, _, created in outcomes if created)
    assert set(winners.values()) == {1} and len(winners) == len({rid for rid, _, _ in outcomes})
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select count(*), count(distinct (id, version)) from huddle_records").fetchone()
    assert rows == (len(winners), len(winners))
    for server in (first, second):
        pulled = pull_all(server.base, token)
        assert sorted(pulled) == sorted(winners)


def test_sigkill_under_load_loses_nothing_acknowledged(two: tuple[Serve, Serve, str]) -> None:
    """Clients PUT through both processes; one is SIGKILLed mid-load; every acknowledged version survives."""
    first, second, token = two
    records = versions(800)
    acked: list[str] = []
    lock = threading.Lock()
    half = threading.Event()

    def client(number: int) -> None:
        """PUT a share of the versions through alternating processes, noting each acknowledged one."""
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as c:
            for j, (record, _) in enumerate(records[number::4]):
                base = (first, second)[j % 2].base
                try:
                    answer = c.put(f"{base}/v1/records/{record.id}", content=wire.body(record))
                except httpx.TransportError:
                    continue  # the killed process: never acknowledged
                if answer.status_code in (200, 201):
                    with lock:
                        acked.append(record.id)
                        if len(acked) >= len(records) // 4:
                            half.set()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    assert half.wait(timeout=120)
    first.proc.send_signal(signal.SIGKILL)
    for thread in threads:
        thread.join()
    assert first.proc.wait(timeout=30) == -signal.SIGKILL
    assert len(acked) > len(records) // 4
    assert set(acked) <= set(pull_all(second.base, token))


def test_a_token_added_or_revoked_in_the_database_counts_in_both_processes_at_once(
        two: tuple[Serve, Serve, str], database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`tokens add` then `tokens revoke --database`: both running processes accept, then refuse, the token."""
    first, second, alpha = two
    code, out, _ = cli(capsys, "serve", "tokens", "add", "--team", "beta", "--database", database_url)
    assert code == 0, out
    beta = out.strip().splitlines()[-1]
    key_id = out.split()[2]
    statuses = [httpx.get(f"{s.base}/v1/records", headers={"Authorization": f"Bearer {beta}"}).status_code
                for s in (first, second)]
    assert statuses == [200, 200]
    code, out, err = cli(capsys, "serve", "tokens", "revoke", key_id, "--database", database_url)
    assert code == 0, err
    assert "within moments" in out
    for server in (first, second):  # each kept beta's token, and is told of the revocation (a hang guard)
        deadline = time.monotonic() + 30
        while httpx.get(f"{server.base}/v1/records", headers={"Authorization": f"Bearer {beta}"}
                        ).status_code != 403:
            assert time.monotonic() < deadline, "a revoked token is still accepted"
            time.sleep(0.01)
        assert httpx.get(f"{server.base}/v1/records", headers={"Authorization": f"Bearer {alpha}"}
                         ).status_code == 200
