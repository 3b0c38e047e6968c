"""End to end over HTTP: recorded disclosures per second through ``POST /api/v1/disclosures``.

    .venv/bin/python bench/bench_http.py                  # what `make bench-http` runs
    .venv/bin/python bench/bench_http.py --seconds 3      # quicker

A SQLite database (durable: WAL, synchronous as infoshare configures it) is initialised with
the leeds-2002 pack, the demo's agreements in force, trained staff, ``--people`` (1,000)
service users each with a consent for their care information to go from LTHT to LCC, and an
API token of LCC. uvicorn serves the app (one process, as ``infoshare serve`` runs it) on
loopback, with one extra route, ``GET /bench/noop``, that does nothing and is matched before
every other route: the ceiling of the same server.

Then ``--clients`` (32) concurrent clients (one asyncio loop, one keep-alive connection each)
post disclosures for ``--seconds`` after a warm-up, each about the next person in turn (so
most are about someone the server has not seen yet); each request is decided by
``decide()`` and recorded with its ledger entry in the group commit, so concurrent requests
share commits.
Then the same clients call the no-op route for as long. The client is a small HTTP/1.1 client
on asyncio streams: httpx costs more CPU than the server's no-op route, and the client shares
the machine's two cores with the server.

Prints and writes bench/results/http.json: ``disclosures_per_s``, ``p50_ms``, ``p99_ms``,
``noop_per_s``, ``ratio_vs_noop``, the server's CPU time per request (from /proc: the figure
to compare on a shared machine), and the machine. It stops with an error unless every 200 the
clients received is a disclosure in the database afterwards. Targets (issue 5): ≥ 800
disclosures/s, p99 < 50 ms, ratio ≥ 0.25. The client runs on the same two cores as the
server, which costs both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

RESULTS = Path(__file__).parent / "results" / "http.json"
NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
SOCIAL_WORKER = "cal.social@lcc.example"
ITEMS = [
    {"category": "identity", "content": "Name and address"},
    {"category": "physical-health", "content": "Discharged after a hip fracture"},
    {"category": "social-care-needs", "content": "Needs help dressing", "nature": "opinion"},
]


def nhs_numbers(count: int) -> list[str]:
    found = []
    stem = 400000000
    while len(found) < count:
        digits = str(stem)
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check != 10:
            found.append(digits + str(check))
        stem += 1
    return found


def build(url: str, people: int) -> tuple[str, list[str]]:
    """The database the server serves; the LCC token and the NHS numbers."""
    from infoshare.services.access_log import CONSOLE
    from infoshare.services.api_tokens import issue_api_token
    from infoshare.services.consent import ConsentDraft, record_consent
    from infoshare.services.database import open_database
    from infoshare.services.demo_agreements import add_demo_agreements, record_later_adoptions
    from infoshare.services.service_users import register_service_user
    from infoshare.services.setup import initialise
    from infoshare.services.staff import create_staff

    initialise(url, "leeds-2002", now=NOW)
    db = open_database(url)
    try:
        for email, code, roles in (
            (SOCIAL_WORKER, "LCC", ("practitioner",)),
            ("pat.practitioner@ltht.example", "LTHT", ("practitioner",)),
            ("lena.lead@lcc.example", "LCC", ("lead-member",)),
        ):
            create_staff(
                db.unit_of_work(), organisation_code=code, name=email.split("@")[0],
                email=email, job_title="Bench", roles=roles,
                training_completed_on=date(2025, 6, 1), now=NOW,
            )  # fmt: skip
        record_later_adoptions(db)
        add_demo_agreements(db, now=NOW)
        numbers = nhs_numbers(people)
        for index, number in enumerate(numbers):
            register_service_user(
                db.unit_of_work(), nhs_number=number, given_name="Bench",
                family_name=f"Person {index}", date_of_birth=date(1950, 1, 1), now=NOW,
            )  # fmt: skip
            record_consent(
                db.unit_of_work(),
                ConsentDraft(
                    nhs_number=number, decision="given", obtained_by="Pat",
                    obtained_by_organisation="LTHT", obtained_at=NOW, method="verbal-recorded",
                    explained_purposes=["care"],
                    explained_data_categories=["identity", "physical-health", "social-care-needs"],
                    explained_recipients=["LCC"], leaflet_given=True, purposes=["care"],
                    data_categories=["identity", "physical-health", "social-care-needs"],
                    recipients=["LCC"],
                ),
                now=NOW,
            )  # fmt: skip
        token = issue_api_token(
            db.unit_of_work(), CONSOLE, organisation_code="LCC", name="bench",
            permissions=("disclosures:make", "disclosures:read"),
        ).token  # fmt: skip
        return token, numbers
    finally:
        db.dispose()


def app_with_noop() -> Any:
    """The app as `infoshare serve` builds it (settings from the environment), plus the no-op
    route; a factory, so uvicorn can start it in each worker process."""
    from infoshare.api.app import create_app

    app = create_app()

    @app.get("/bench/noop", include_in_schema=False)
    async def noop() -> dict[str, bool]:
        return {"ok": True}

    # Matched first, before every route of the app: the no-op pays the least routing this
    # server can, so the ratio is not flattered by a slow ceiling.
    routes = app.router.routes
    routes.insert(0, routes.pop())
    return app


def serve(url: str, port: int, keys_dir: str, workers: int) -> subprocess.Popen[bytes]:
    """Start uvicorn with ``workers`` processes on loopback, as a child process."""
    bench = str(Path(__file__).parent)
    environment = os.environ | {
        "INFOSHARE_DATABASE_URL": url,
        "INFOSHARE_ENVIRONMENT": "test",
        "INFOSHARE_KEYS_DIR": keys_dir,
        "PYTHONPATH": os.pathsep.join([bench, os.environ.get("PYTHONPATH", "")]),
    }
    command = [
        sys.executable, "-m", "uvicorn", "bench_http:app_with_noop", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    return subprocess.Popen(command, env=environment)


def server_cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """CPU time (user + system) of the server process and its worker processes so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [server.pid]
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def stored_disclosures(url: str) -> int:
    """How many disclosures the database holds (read after the server stopped)."""
    from sqlalchemy import func, select

    from infoshare.services.database import open_database
    from infoshare.store.models import DisclosureRecord

    db = open_database(url)
    try:
        with db.unit_of_work().reading() as uow:
            return uow.session.scalar(select(func.count(DisclosureRecord.id))) or 0
    finally:
        db.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_up(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(1200):  # a minute: the app's imports are slow on a busy machine
            try:
                if (await client.get("/bench/noop")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise SystemExit("the server did not start")


class Connection:
    """One keep-alive HTTP/1.1 connection: a small client, so the load generator's own CPU
    (it shares the two cores with the server) stays far below the server's."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def request(self, raw: bytes) -> int:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length:
            await self.reader.readexactly(length)
        return status


def raw_request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body or method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class Run:
    """What one phase of load measured."""

    #: responses by status in the measured window, and in the whole phase (warm-up included)
    statuses: dict[int, int] = field(default_factory=dict)
    all_statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    #: CPU seconds the server processes used during the measured window
    server_cpu: float = 0.0
    #: CPU seconds this (client) process used during the measured window
    client_cpu: float = 0.0

    @property
    def done(self) -> int:
        return sum(self.statuses.values())


async def load(
    port: int,
    clients: int,
    seconds: float,
    make: Any,
    server: subprocess.Popen[bytes],
    *,
    warmup: float = 1.0,
) -> Run:
    """Run ``clients`` connections sending ``make(n)`` for ``seconds`` after ``warmup``."""
    run = Run()
    connections = [await Connection.open(port) for _ in range(clients)]
    start = time.perf_counter()
    measure_from = start + warmup
    stop = measure_from + seconds

    async def worker(number: int) -> None:
        connection = connections[number]
        n = number
        while True:
            began = time.perf_counter()
            if began >= stop:
                return
            status = await connection.request(make(n))
            ended = time.perf_counter()
            n += clients
            run.all_statuses[status] = run.all_statuses.get(status, 0) + 1
            if began >= measure_from:
                run.latencies.append(ended - began)
                run.statuses[status] = run.statuses.get(status, 0) + 1

    async def meter() -> None:
        await asyncio.sleep(warmup)
        server_from, client_from = server_cpu_seconds(server), time.process_time()
        await asyncio.sleep(max(0.0, stop - time.perf_counter()))
        run.server_cpu = server_cpu_seconds(server) - server_from
        run.client_cpu = time.process_time() - client_from

    await asyncio.gather(meter(), *(worker(i) for i in range(clients)))
    for connection in connections:
        connection.writer.close()
    return run


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="infoshare-bench-http-") as folder:
        url = f"sqlite:///{folder}/bench.db"
        os.environ["INFOSHARE_KEYS_DIR"] = f"{folder}/keys"
        print(f"building the database ({args.people} people with consents) …", flush=True)
        token, numbers = build(url, args.people)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = serve(url, port, f"{folder}/keys", args.workers)
        try:
            asyncio.run(wait_up(base))
            headers = {"Authorization": f"Bearer {token}"}
            bodies = [
                raw_request(
                    "POST",
                    "/api/v1/disclosures",
                    headers,
                    json.dumps(
                        {
                            "requester": SOCIAL_WORKER,
                            "provider": "LTHT",
                            "recipient": "LCC",
                            "nhs_number": number,
                            "purpose": "care",
                            "items": ITEMS,
                            "transfer_method": "email",
                        }
                    ).encode(),
                )
                for number in numbers
            ]
            noop_request = raw_request("GET", "/bench/noop", {})

            def disclose(n: int) -> bytes:
                return bodies[n % len(bodies)]

            def noop(_n: int) -> bytes:
                return noop_request

            probe = httpx.post(
                f"{base}/api/v1/disclosures",
                content=bodies[0].split(b"\r\n\r\n", 1)[1],
                headers={**headers, "Content-Type": "application/json"},
            ).json()
            if probe.get("outcome") != "permit":
                raise SystemExit(f"the benchmark's request is not permitted: {probe}")
            print(f"{args.clients} clients POST /api/v1/disclosures for {args.seconds}s …")
            shared = asyncio.run(load(port, args.clients, args.seconds, disclose, server))
            print(f"{args.clients} clients GET /bench/noop for {args.seconds}s …")
            empty = asyncio.run(load(port, args.clients, args.seconds, noop, server))
        finally:
            server.terminate()
            server.wait(10)
        stored = stored_disclosures(url)

    ok = shared.statuses.get(200, 0)
    # Every 200 the clients saw (warm-up and the probe included) must be a stored disclosure.
    acknowledged = shared.all_statuses.get(200, 0) + 1
    if stored != acknowledged:
        raise SystemExit(f"{acknowledged} disclosures acknowledged but {stored} stored")
    per_s = ok / args.seconds
    noop_per_s = empty.done / args.seconds
    results = {
        "disclosures_per_s": round(per_s, 1),
        "p50_ms": round(percentile(shared.latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(shared.latencies, 0.99) * 1000, 2),
        "noop_per_s": round(noop_per_s, 1),
        "noop_p99_ms": round(percentile(empty.latencies, 0.99) * 1000, 2),
        "ratio_vs_noop": round(per_s / noop_per_s, 3) if noop_per_s else None,
        #: CPU the server spent per request (all its processes), and the client's, in ms
        "server_cpu_ms_per_disclosure": round(shared.server_cpu / max(ok, 1) * 1000, 3),
        "server_cpu_ms_per_noop": round(empty.server_cpu / max(empty.done, 1) * 1000, 3),
        "client_cpu_ms_per_request": round(shared.client_cpu / max(shared.done, 1) * 1000, 3),
        "statuses": {str(k): v for k, v in sorted(shared.statuses.items())},
        "disclosures_acknowledged": acknowledged,
        "disclosures_stored": stored,
        "people": args.people,
        "clients": args.clients,
        "workers": args.workers,
        "seconds": args.seconds,
        "targets": {"disclosures_per_s": 800, "p99_ms": 50, "ratio_vs_noop": 0.25},
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            #: other work on the machine during the run: the figures depend on it
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(results, indent=2))
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
