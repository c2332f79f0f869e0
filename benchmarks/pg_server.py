"""The many-team server on PostgreSQL: load, PUT throughput on 1 and 2 processes, since, org report, memory.

    python benchmarks/pg_server.py                      # 200 teams × 12 members × 365 days
    python benchmarks/pg_server.py --days 30 --puts 250 # a quicker pass

It uses $HUDDLE_BENCH_DATABASE_URL (an empty database it may fill) or starts
a throwaway cluster with the installed initdb/pg_ctl, as the tests do. PUT
throughput is quoted as a ratio to a bare Starlette app (read the body,
answer 201 JSON) served the same way, with the same 8 clients, in the same
run. Peak memory is each server process's VmHWM from /proc.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import psycopg
from tests.http_helpers import free_port
from tests.pg_helpers import Cluster

from huddle_tui.model.ids import random_id
from huddle_tui.server.pgstore import migrate_database
from huddle_tui.server.tokens import add_token
from huddle_tui.storage.envelope import encode

BARE_APP = '''
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
async def put(request):
    await request.body()
    return JSONResponse({"created": True}, status_code=201)
app = Starlette(routes=[Route("/v1/records/{id}", put, methods=["PUT"])])
'''


def last_day(days: int) -> str:
    """The last day load() writes."""
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() - days * 86400 + (days - 1) * 86400))


def checkin(team: str, member: str, day: str, mood: int) -> tuple[str, bytes, str, str, str]:
    """One check-in as (id, envelope bytes, checksum, day, written_at)."""
    record, data = encode("checkin", random_id(), 1, day, f"{day}T09:00:00+00:00",
                          {"mood": mood, "status": "ok", "concerns": [], "visibility": "team",
                           "source": "cli", "member": member})
    return record.id, data, record.checksum, day, record.written_at


def load(url: str, teams: int, members: int, days: int) -> float:
    """Fill the database with every team's history by COPY; the seconds it took."""
    start = time.perf_counter()
    first = time.time() - days * 86400  # the same days as last_day()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for t in range(teams):
            team = f"team{t:03d}"
            cur.execute("insert into huddle_teams (name, seq) values (%s, %s)", (team, members * days))
            seq = 0
            columns = "team, id, version, seq, checksum, kind, day, written_at, body"
            with cur.copy(f"copy huddle_records ({columns}) from stdin") as copy:
                for d in range(days):
                    day = time.strftime("%Y-%m-%d", time.gmtime(first + d * 86400))
                    for m in range(members):
                        rid, data, checksum, day_, written = checkin(team, f"m{m}", day, 1 + (m + d) % 5)
                        seq += 1
                        copy.write_row((team, rid, 1, seq, checksum, "checkin", day_, written, data))
        conn.commit()
    return time.perf_counter() - start


def serve(argv: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start a server process and wait until it answers."""
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def put_rate(bases: list[str], token: str, clients: int, puts: int) -> float:
    """PUTs per second from `clients` threads, each sending `puts` new versions round-robin over bases."""
    bodies = [[checkin("team000", f"m{c}", "2026-11-26", 3) for _ in range(puts)] for c in range(clients)]

    def client(number: int) -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
            for j, (rid, data, *_) in enumerate(bodies[number]):
                answer = c.put(f"{bases[(number + j) % len(bases)]}/v1/records/{rid}", content=data)
                assert answer.status_code in (200, 201), answer.text

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clients * puts / (time.perf_counter() - start)


def peak_kib(pid: int) -> int:
    """A process's peak resident memory (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def timed(call: object, runs: int = 9) -> float:
    """The median seconds of `runs` calls."""
    assert callable(call)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    """Load, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--members", type=int, default=12)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--puts", type=int, default=500, help="PUTs per client")
    args = parser.parse_args()
    cluster = None
    url = os.environ.get("HUDDLE_BENCH_DATABASE_URL")
    if not url:
        cluster = Cluster()
        url = cluster.url
    try:
        migrate_database(url)
        records = args.teams * args.members * args.days
        print(f"huddle serve on PostgreSQL, {platform.machine()}, {os.cpu_count()} CPUs, "
              f"Python {platform.python_version()}")
        print(f"load: {records:,} records ({args.teams} teams × {args.members} members × {args.days} days) "
              f"in {load(url, args.teams, args.members, args.days):.1f} s")
        work = Path(tempfile.mkdtemp())
        tokens = work / "tokens"
        token, _ = add_token(tokens, "team000")
        org, _ = add_token(tokens, None)
        env = dict(os.environ)
        ports = [free_port(), free_port()]
        serve_argv = [sys.executable, "-m", "huddle_tui", "serve", "--database", url,
                      "--tokens-file", str(tokens)]
        procs = [serve([*serve_argv, "--port", str(p)], p, env) for p in ports]
        (work / "bare.py").write_text(BARE_APP)
        bare_port = free_port()
        bare = serve([sys.executable, "-m", "uvicorn", "bare:app", "--port", str(bare_port), "--log-level",
                      "warning", "--app-dir", str(work)], bare_port, env)
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        try:
            cursor = f"p{args.members * (args.days - 1)}"  # team000's last day: 12 records
            with httpx.Client(base_url=bases[0], headers={"Authorization": f"Bearer {token}"}) as c:
                since = timed(lambda: c.get("/v1/records", params={"since": cursor}).raise_for_status())
            print(f"GET since (a team's last day): {since * 1000:.1f} ms median")
            headers = {"Authorization": f"Bearer {org}"}
            with httpx.Client(base_url=bases[1], headers=headers, timeout=600) as c:
                report = timed(lambda: c.get("/v1/org/report", params={"to": last_day(args.days)})
                               .raise_for_status(), runs=3)
            print(f"GET /v1/org/report (28 days, {args.teams} teams): {report:.2f} s median")
            floor = put_rate([f"http://127.0.0.1:{bare_port}"], token, args.clients, args.puts)
            one = put_rate(bases[:1], token, args.clients, args.puts)
            two = put_rate(bases, token, args.clients, args.puts)
            print(f"PUT, {args.clients} clients × {args.puts}: bare Starlette {floor:.0f}/s; "
                  f"1 process {one:.0f}/s ({one / floor:.2f}× bare); "
                  f"2 processes {two:.0f}/s ({two / floor:.2f}× bare)")
            peaks = ", ".join(f"{peak_kib(p.pid) / 1024:.0f} MiB" for p in procs)
            print(f"peak server memory (VmHWM): {peaks}; bare Starlette {peak_kib(bare.pid) / 1024:.0f} MiB")
        finally:
            for proc in [*procs, bare]:
                proc.terminate()
                proc.wait(timeout=30)
    finally:
        if cluster is not None:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
