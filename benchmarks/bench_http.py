"""The HTTP path is cheap: the outbox against a bare httpx loop, `huddle serve` against a bare app.

1. Flushing the outbox: 1,000 records vs a bare httpx PUT loop, same server.
2. `huddle serve` PUT throughput with 8 client processes vs a bare Starlette
   app on uvicorn that does only what a durable PUT must: read the body,
   parse it, write it to a file and fsync it (in a worker thread), answer
   201. Both run uvicorn's h11 protocol without an access log; the ratio
   says what huddle's checks, locking and bounds cost.
3. `huddle serve --shared DIR` started on a demo history (issue 28): seconds
   from the command's start until it answers a token's first GET
   /v1/records, and its peak RSS (VmHWM) by then: ≤ 1 s and ≤ 64 MiB. At
   12×5 in the default run, and at 200×5 too when named (`run.py http`).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.harness import ROOT, Bench, Demo, Figure, paired
from huddle_tui.config.team import Endpoint, Member, TeamConfig
from huddle_tui.config.user import UserConfig
from huddle_tui.model.ids import random_id
from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.folder import FolderStore
from huddle_tui.sync import wire
from huddle_tui.sync.engine import sync_once
from huddle_tui.sync.outbox import Outbox
from huddle_tui.sync.trust import with_approved

TARGET = 1.5
COUNT = 1000
TOKEN_ENV = "HUDDLE_BENCH_TOKEN"
THROUGHPUT_TARGET = 0.8
CLIENTS = 8
PUTS_PER_CLIENT = 150
START_S, START_MIB = 1.0, 64.0  # issue 28: a server on a big folder answers at once, in little memory


def measure(bench: Bench) -> list[Figure]:
    """The outbox flush, server throughput, and the server's start on the 12×5 demo."""
    return [_outbox_flush(bench), _server_throughput(bench), *start_figures(bench, bench.demo(12, 5))]


def measure_named(bench: Bench) -> list[Figure]:
    """Named (`run.py http`): the same, and the server's start on the 200×5 demo too."""
    return [*measure(bench), *start_figures(bench, bench.demo(200, 5))]


def start_figures(bench: Bench, demo: Demo) -> list[Figure]:
    """`huddle serve --shared` on a demo's folder: seconds until it answers a GET, and its peak RSS then."""
    token = secrets.token_urlsafe(24)
    port = _free_port()
    env = {**bench.env, "HUDDLE_SERVER_TOKENS": token}
    url = f"http://127.0.0.1:{port}/v1/records?limit=1"
    start = time.perf_counter()
    serve = bench.huddle("serve", "--shared", str(demo.folder), "--port", str(port))
    server = subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5).raise_for_status()
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the reference server did not start") from None
                time.sleep(0.02)
        seconds = time.perf_counter() - start
        with open(f"/proc/{server.pid}/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    finally:
        server.terminate()
        server.wait(timeout=30)
    return [Figure(f"huddle serve --shared start: until it answers ({demo.size})", seconds, START_S,
                   unit=" s", note=f"{demo.records} files"),
            Figure(f"huddle serve --shared start: peak RSS by then ({demo.size})", peak, START_MIB,
                   unit=" MiB")]


def _outbox_flush(bench: Bench) -> Figure:
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
        # The person running it approved this endpoint (`huddle trust`), as anyone must before a send.
        user = with_approved(UserConfig(), team.endpoints)
        outbox_path = bench.work / "http-outbox.sqlite3"
        source = FolderStore(bench.work / "http-records", durable=False)

        def outbox_flush() -> float:
            """Queue 1,000 new records (untimed), then time one sync that sends them all."""
            with Outbox(outbox_path) as outbox:
                for record in _records(source):
                    outbox.add_record("bench", record)
            start = time.perf_counter()
            report = sync_once(team, outbox_path=outbox_path, pull=False, user=user)
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
    return Figure(f"outbox flush of {COUNT} records to the reference server", ratio, TARGET,
                  note=f"vs a bare httpx PUT loop ({a * 1000:.0f} ms / {b * 1000:.0f} ms)")


def _server_throughput(bench: Bench) -> Figure:
    """Median ratio of `huddle serve`'s PUT throughput to a bare durable Starlette app's, 8 clients."""
    token = secrets.token_urlsafe(24)
    huddle_port, bare_port = _free_port(), _free_port()
    huddle_dir, bare_dir = bench.work / "throughput-huddle", bench.work / "throughput-bare"
    huddle_dir.mkdir()
    bare_dir.mkdir()
    env = {**bench.env, "HUDDLE_SERVER_TOKENS": token}
    commands = [[sys.executable, "-m", "huddle_tui", "serve", "--shared", str(huddle_dir),
                 "--port", str(huddle_port)],
                [sys.executable, "-m", "benchmarks.bench_http", "bare-serve", str(bare_port), str(bare_dir)]]
    servers = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for command in commands]
    try:
        for port in (huddle_port, bare_port):
            _wait_for(f"http://127.0.0.1:{port}")
        huddle_s, bare_s, ratio = paired(lambda: _put_burst((huddle_port,), (token,)),
                                         lambda: _put_burst((bare_port,), (token,)), max(3, bench.runs // 2))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    total = CLIENTS * PUTS_PER_CLIENT
    return Figure(f"huddle serve PUT throughput, {CLIENTS} clients", 1 / ratio, THROUGHPUT_TARGET,
                  higher=True, note=f"vs a bare durable Starlette app ({total / huddle_s:.0f} vs "
                                    f"{total / bare_s:.0f} PUT/s)")


def _put_burst(ports: tuple[int, ...], tokens: tuple[str, ...]) -> float:
    """Seconds for CLIENTS processes to PUT PUTS_PER_CLIENT new records each, all started together.

    Client n sends to ports[n % len(ports)] with tokens[n % len(tokens)]: more
    than one server behind a balancer, more than one team.
    """
    context = multiprocessing.get_context("spawn")  # no copy of this process's state in the clients
    ready = context.Barrier(CLIENTS + 1)
    clients = [context.Process(target=_client, args=(ports[n % len(ports)], tokens[n % len(tokens)], ready))
               for n in range(CLIENTS)]
    for client in clients:
        client.start()
    try:
        ready.wait(timeout=120)  # every client has built its bodies and connected
        start = time.perf_counter()
        for client in clients:
            client.join(timeout=300)
        elapsed = time.perf_counter() - start
    finally:
        for client in clients:
            if client.is_alive():
                client.kill()
    if any(client.exitcode != 0 for client in clients):
        raise RuntimeError(f"a throughput client failed against port {ports}")
    return elapsed


def _client(port: int, token: str, ready: Any) -> None:
    """One client process: build its bodies, wait for the others, PUT them over one connection."""
    payload = {"mood": 3, "status": "on track", "concerns": [], "visibility": "team", "source": "cli",
               "member": "Ana"}
    records = [envelope.encode("checkin", random_id(), 1, "2026-11-26", "2026-11-26T09:00:00.000000Z",
                               payload)[0] for _ in range(PUTS_PER_CLIENT)]
    bodies = [(r.id, wire.body(r)) for r in records]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.connect()
    ready.wait(timeout=120)
    for rid, body in bodies:
        conn.request("PUT", f"/v1/records/{rid}", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 201:
            raise SystemExit(f"PUT answered {response.status}")
    conn.close()


def _bare_serve(port: int, folder: Path) -> None:
    """The floor: a Starlette app on uvicorn that parses each PUT body and stores it durably, nothing more."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from huddle_tui.storage.fileio import write_atomic

    async def put(request: Request) -> Response:
        """Read the body, then parse and fsync it in a worker thread, as huddle serve does."""
        body = await request.body()
        target = folder / f"{request.path_params['id']}.json"

        def store() -> Response:
            """Parse and write durably."""
            record = json.loads(body)
            write_atomic(target, body, durable=True)
            return JSONResponse({"id": record["id"], "created": True}, status_code=201)

        return await run_in_threadpool(store)

    app = Starlette(routes=[Route("/v1/records/{id}", put, methods=["PUT"]),
                            Route("/v1/records", lambda request: JSONResponse({}), methods=["GET"])])
    uvicorn.run(app, host="127.0.0.1", port=port, http="h11", access_log=False, log_level="warning",
                server_header=False)


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




if __name__ == "__main__":
    if sys.argv[1:2] == ["bare-serve"]:
        _bare_serve(int(sys.argv[2]), Path(sys.argv[3]))
