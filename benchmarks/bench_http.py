"""Flushing the outbox costs little over the network: 1,000 records vs a bare httpx loop, same server."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time

import httpx

from benchmarks.harness import Bench, Figure, paired
from huddle_tui.config.team import Endpoint, Member, TeamConfig
from huddle_tui.model.ids import random_id
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.folder import FolderStore
from huddle_tui.sync import wire
from huddle_tui.sync.engine import sync_once
from huddle_tui.sync.outbox import Outbox

TARGET = 1.5
COUNT = 1000
TOKEN_ENV = "HUDDLE_BENCH_TOKEN"


def measure(bench: Bench) -> list[Figure]:
    """Median ratio of `sync_once` flushing 1,000 queued records to a bare httpx PUT loop."""
    token = secrets.token_urlsafe(24)
    port = _free_port()
    server_dir = bench.work / "http-server"
    server_dir.mkdir()
    env = {**bench.env, "HUDDLE_SERVER_TOKENS": token}
    server = subprocess.Popen([sys.executable, "-m", "huddle_tui", "serve", "--shared", str(server_dir),
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for(url)
        os.environ[TOKEN_ENV] = token
        team = TeamConfig(name="Bench", members=(Member("Ana"),), shared_dir=bench.work / "http-client",
                          endpoints=(Endpoint(url=url, token_env=TOKEN_ENV, name="bench"),))
        outbox_path = bench.work / "http-outbox.sqlite3"
        source = FolderStore(bench.work / "http-records", durable=False)

        def outbox_flush() -> float:
            """Queue 1,000 new records (untimed), then time one sync that sends them all."""
            with Outbox(outbox_path) as outbox:
                for record in _records(source):
                    outbox.add_record("bench", record)
            start = time.perf_counter()
            report = sync_once(team, outbox_path=outbox_path, pull=False)
            elapsed = time.perf_counter() - start
            assert report.ok and report.endpoints[0].sent == COUNT, report
            return elapsed

        def bare_loop() -> float:
            """PUT 1,000 new record bodies over one httpx connection, nothing else."""
            bodies = [(r.id, r.version, wire.body(r)) for r in _records(source)]
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
                start = time.perf_counter()
                for rid, version, body in bodies:
                    client.put(f"/v1/records/{rid}", content=body,
                               headers={"Idempotency-Key": f"{rid}.{version}",
                                        "Content-Type": "application/json"}).raise_for_status()
                return time.perf_counter() - start

        a, b, ratio = paired(outbox_flush, bare_loop, max(3, bench.runs // 2))
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.environ.pop(TOKEN_ENV, None)
    return [Figure(f"outbox flush of {COUNT} records to the reference server", ratio, TARGET,
                   note=f"vs a bare httpx PUT loop ({a * 1000:.0f} ms / {b * 1000:.0f} ms)")]


def _records(store: FolderStore) -> list[Record]:
    """1,000 fresh check-in records (new ids each time, so every PUT is a real write)."""
    return [store.save("checkin", random_id(), "2026-11-26",
                       {"mood": 1 + i % 5, "status": f"status {i}", "concerns": [], "visibility": "team",
                        "source": "cli", "member": "Ana"}) for i in range(COUNT)]


def _free_port() -> int:
    """A free port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str) -> None:
    """Wait until the server answers (any status), for up to 30 s."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/v1/records", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"the reference server at {url} did not start")


