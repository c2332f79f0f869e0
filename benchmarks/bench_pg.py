"""The many-team server on PostgreSQL: a year of an organisation loaded, then PUT, since, org report, memory.

    python benchmarks/run.py pg                 # 200 teams × 12 members × 365 days (~876k records)
    HUDDLE_BENCH_PG_DAYS=30 python benchmarks/run.py pg   # a quicker pass

Opt-in (named on the command line only): loading takes a minute or more.
It uses $HUDDLE_BENCH_DATABASE_URL (an empty database it may fill) or starts
a throwaway cluster with the installed initdb/pg_ctl, fsync on. Figures:

1. PUT throughput, 8 client processes each PUTting new check-ins of its own
   team, through one and through two `huddle serve --database` processes, as
   a ratio to the same clients against the bare durable Starlette app of
   bench_http.py (parse, fsync'd file write, 201), measured in turn in the
   same run; and through one, against a bare Starlette app doing one INSERT
   a PUT into the same database (the issue's floor), with the 8 clients of
   8 teams and of one team.
2. `GET /v1/records?since=` of one team's last day (12 records) against a
   GET of the bare app, in turn.
3. The org report over 28 days (all teams), in seconds.
4. Peak resident memory (VmHWM) of a fresh server process after the org
   report over the whole year ÷ after one over 28 days: 13 times the
   records must not cost more memory (nothing is held per record).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_http import CLIENTS, PUTS_PER_CLIENT, _free_port, _put_burst
from benchmarks.harness import ROOT, Bench, Figure, paired_runs

OPT_IN = True  # run.py runs it only when named
TEAMS, MEMBERS = 200, 12
DAYS = int(os.environ.get("HUDDLE_BENCH_PG_DAYS", "365"))
LAST = date(2026, 11, 26)
PUT_TARGET = 0.8
SINCE_TARGET = 3.0
REPORT_TARGET_S = 5.0
MEMORY_TARGET = 1.5


def measure(bench: Bench) -> list[Figure]:
    """Load the organisation, then every figure; the cluster (if started here) is removed after."""
    from tests.pg_cluster import Cluster

    from huddle_tui.server.pgstore import migrate_database

    cluster = None
    url = os.environ.get("HUDDLE_BENCH_DATABASE_URL")
    if not url:
        cluster = Cluster(durable=True)
        url = cluster.url
    try:
        migrate_database(url)
        start = time.perf_counter()
        records = load(url, TEAMS, MEMBERS, DAYS)
        print(f"  loaded {records:,} records ({TEAMS} teams × {MEMBERS} members × {DAYS} days) "
              f"in {time.perf_counter() - start:.0f} s", flush=True)
        return figures(bench, url)
    finally:
        if cluster is not None:
            cluster.stop()


def load(url: str, teams: int, members: int, days: int) -> int:
    """Every team's check-ins, one a member a day up to LAST, written with COPY; how many."""
    import psycopg

    from huddle_tui.model.ids import random_id
    from huddle_tui.storage.envelope import encode

    first = LAST - timedelta(days=days - 1)
    columns = "team, id, version, seq, checksum, kind, day, written_at, body"
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for t in range(teams):
            team = f"team{t:03d}"
            seq = 0
            with cur.copy(f"copy huddle_records ({columns}) from stdin") as copy:
                for d in range(days):
                    day = (first + timedelta(days=d)).isoformat()
                    for m in range(members):
                        record, data = encode("checkin", random_id(), 1, day, f"{day}T09:00:00+00:00",
                                              {"mood": 1 + (m + d) % 5, "status": "ok", "concerns": [],
                                               "visibility": "team", "source": "cli", "member": f"m{m}"})
                        seq += 1
                        copy.write_row((team, record.id, 1, seq, record.checksum, "checkin", day,
                                        record.written_at, data))
            conn.commit()
        # Numbered 1, 2, … a team as a counter numbered them before migration 6: the base moves past
        # them, as that migration moves it past what a database held (pgstore's docstring).
        cur.execute("update huddle_store set base = (select max(seq) + 1 from huddle_records)")
        conn.commit()
        cur.execute("analyze")
    return teams * members * days


def figures(bench: Bench, url: str) -> list[Figure]:
    """Start the servers and the bare app, measure in turn, stop them."""
    from huddle_tui.server.pgtokens import add_token

    tokens = tuple(add_token(url, f"team{t:03d}")[0] for t in range(8))  # the PUTs' teams
    quiet, _ = add_token(url, f"team{TEAMS - 1:03d}")  # a team nobody PUTs to: its last day is 12 records
    org, _ = add_token(url, None)
    env = {k: v for k, v in bench.env.items() if k != "HUDDLE_SERVER_TOKENS"}
    ports = (_free_port(), _free_port())
    bare_port = _free_port()
    bare_dir = bench.work / "pg-bare"
    bare_dir.mkdir()
    insert_port = _free_port()
    servers = [serve(["--database", url, "--port", str(p)], p, env) for p in ports]
    servers.append(start([sys.executable, "-m", "benchmarks.bench_http", "bare-serve", str(bare_port),
                          str(bare_dir)], bare_port, env))
    servers.append(start([sys.executable, "-m", "benchmarks.bench_pg", "bare-insert-serve", str(insert_port),
                          url], insert_port, env))
    runs = max(3, bench.runs // 2)
    try:
        bare, insert = (bare_port,), (insert_port,)
        one = paired_runs(lambda: _put_burst(ports[:1], tokens), lambda: _put_burst(bare, tokens), runs)
        # Against the same database doing one INSERT a PUT: eight teams, then eight clients of one team
        # (whose writers took turns on the team's counter row until migration 6).
        eight = paired_runs(lambda: _put_burst(ports[:1], tokens), lambda: _put_burst(insert, tokens), runs)
        team = paired_runs(lambda: _put_burst(ports[:1], tokens[:1]),
                           lambda: _put_burst(insert, tokens[:1]), runs)
        two = paired_runs(lambda: _put_burst(ports, tokens), lambda: _put_burst(bare, tokens), runs)
        since = since_latency(ports[0], bare_port, quiet, runs * 5)
        report = org_report_seconds(ports[1], org, 28, max(3, runs))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    memory = memory_ratio(url, org, env)
    puts = CLIENTS * PUTS_PER_CLIENT
    return [
        Figure("PG: PUT throughput, 8 clients, 1 server ÷ bare durable Starlette", 1 / one.ratio, PUT_TARGET,
               higher=True, low=1 / max(one.ratios), high=1 / min(one.ratios),
               note=f"{puts / one.a:.0f} vs {puts / one.b:.0f} PUT/s"),
        Figure("PG: PUT throughput, 8 clients of 8 teams, 1 server ÷ bare INSERT app", 1 / eight.ratio,
               PUT_TARGET, higher=True, low=1 / max(eight.ratios), high=1 / min(eight.ratios),
               note=f"{puts / eight.a:.0f} vs {puts / eight.b:.0f} PUT/s"),
        Figure("PG: PUT throughput, 8 clients of one team, 1 server ÷ bare INSERT app", 1 / team.ratio,
               PUT_TARGET, higher=True, low=1 / max(team.ratios), high=1 / min(team.ratios),
               note=f"{puts / team.a:.0f} vs {puts / team.b:.0f} PUT/s"),
        Figure("PG: PUT throughput, 8 clients, 2 servers ÷ bare durable Starlette", 1 / two.ratio, PUT_TARGET,
               higher=True, low=1 / max(two.ratios), high=1 / min(two.ratios),
               note=f"{puts / two.a:.0f} vs {puts / two.b:.0f} PUT/s"),
        since,
        report,
        memory,
    ]


def start(argv: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start a server process and wait until it answers on /healthz (any status)."""
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except httpx.TransportError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{argv[2:4]} did not start on port {port}")


def serve(args: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`huddle serve ARGS` as an operator starts it."""
    return start([sys.executable, "-m", "huddle_tui", "serve", *args], port, env)


def since_latency(port: int, bare_port: int, token: str, runs: int) -> Figure:
    """GET since of one team's last day (12 records) ÷ a GET of the bare app, over kept connections."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as huddle, \
            httpx.Client(base_url=f"http://127.0.0.1:{bare_port}", headers=headers) as bare:
        tag = huddle.get("/v1/records", params={"limit": 1}).json()["cursor"].partition(".")[0]
        cursor = f"{tag}.{MEMBERS * (DAYS - 1)}"  # the database's tag, and a place in its arrival order

        def timed(call: httpx.Client, path: str, params: dict[str, str]) -> float:
            """Seconds for one GET, checked."""
            began = time.perf_counter()
            answer = call.get(path, params=params)
            elapsed = time.perf_counter() - began
            answer.raise_for_status()
            return elapsed

        assert len(huddle.get("/v1/records", params={"since": cursor}).json()["records"]) == MEMBERS
        p = paired_runs(lambda: timed(huddle, "/v1/records", {"since": cursor}),
                        lambda: timed(bare, "/v1/records", {}), runs)
    return p.figure("PG: GET since, one team's day (12 records) ÷ bare GET", SINCE_TARGET,
                    note=f"{p.a * 1000:.1f} vs {p.b * 1000:.1f} ms")


def org_report_seconds(port: int, org: str, days: int, runs: int) -> Figure:
    """Median seconds of the org report over the last `days` days, every team."""
    params = {"from": (LAST - timedelta(days=days - 1)).isoformat(), "to": LAST.isoformat()}
    times = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {org}"},
                      timeout=600) as c:
        for _ in range(runs):
            began = time.perf_counter()
            answer = c.get("/v1/org/report", params=params)
            times.append(time.perf_counter() - began)
            answer.raise_for_status()
    assert len(answer.json()["teams"]) >= TEAMS
    return Figure(f"PG: GET /v1/org/report, {days} days × {TEAMS} teams", statistics.median(times),
                  REPORT_TARGET_S, unit=" s", low=min(times), high=max(times),
                  note=f"{TEAMS * MEMBERS * days:,} check-ins")


def memory_ratio(url: str, org: str, env: dict[str, str]) -> Figure:
    """VmHWM of a fresh server after a whole-history org report ÷ after a 28-day one."""
    peaks = []
    for days in (28, DAYS):
        port = _free_port()
        proc = serve(["--database", url, "--port", str(port)], port, env)
        try:
            org_report_seconds(port, org, days, 1)
            peaks.append(peak_kib(proc.pid) / 1024)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return Figure(f"PG: server peak memory, org report over {DAYS} ÷ 28 days", peaks[1] / peaks[0],
                  MEMORY_TARGET, note=f"{peaks[1]:.0f} vs {peaks[0]:.0f} MiB VmHWM")


def peak_kib(pid: int) -> int:
    """A process's peak resident memory (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _bare_insert_serve(port: int, url: str) -> None:
    """The database floor: a Starlette app that parses each PUT body and INSERTs it, one commit each."""
    import json

    import uvicorn
    from psycopg_pool import ConnectionPool
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    pool: ConnectionPool[Any] = ConnectionPool(url, min_size=2, max_size=16, open=True,
                                               kwargs={"autocommit": True})
    with pool.connection() as conn:
        conn.execute("create table if not exists bench_bare_puts (id text primary key, body bytea not null)")

    async def put(request: Request) -> Response:
        """Read the body, then parse and INSERT it in a worker thread, as huddle serve does."""
        body = await request.body()

        def store() -> Response:
            """Parse, then one INSERT in its own transaction (durable: synchronous_commit)."""
            record = json.loads(body)
            with pool.connection() as conn:
                conn.execute("insert into bench_bare_puts (id, body) values (%s, %s)",
                             (request.path_params["id"], body))
            return JSONResponse({"id": record["id"], "created": True}, status_code=201)

        return await run_in_threadpool(store)

    app = Starlette(routes=[Route("/v1/records/{id}", put, methods=["PUT"]),
                            Route("/healthz", lambda request: JSONResponse({}), methods=["GET"])])
    uvicorn.run(app, host="127.0.0.1", port=port, http="h11", access_log=False, log_level="warning",
                server_header=False)


if __name__ == "__main__":
    if sys.argv[1:2] == ["bare-insert-serve"]:
        _bare_insert_serve(int(sys.argv[2]), sys.argv[3])
