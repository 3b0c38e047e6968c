"""Durable ledger appends with group commit on SQLite, against a plain batched INSERT.

    .venv/bin/python bench/bench_ledger_append.py     # merges its figures into ledger.json
    (``make bench-ledger`` runs it after bench/bench_ledger.py)

- append_per_s: 32 writer threads append through one ``GroupWriter`` (store/writer.py) into
  a SQLite file (WAL, ``synchronous=FULL``); each writer keeps up to ``--window`` appends in
  flight and counts one only when its future resolves, i.e. after the commit that holds it.
  Every entry is numbered under the head, sealed by the core (canonical JSON, chain hash,
  leaf and subtree hashes), stored with its indexed columns and subtree rows.
- append_blocking_per_s: the same with one append in flight per writer (each thread waits
  for its own acknowledgement before the next): bounded by one fsync per batch of ≤ 32.
- insert_per_s: the rows the group commit stored (the same bytes, hashes and columns,
  precomputed), written to a fresh database with SQLAlchemy Core's ``insert(table)``
  executemany (how the rest of infoshare writes) in transactions of the same mean size as
  the group commit's batches, each committed durably on the same engine settings.
- append_ratio_vs_insert: append_per_s / insert_per_s.
- driver_insert_per_s and append_ratio_vs_driver_insert: the same rows through the sqlite3
  driver's own ``executemany``, no SQLAlchemy at all: the floor, for comparison.
- db_inclusion_p50_ms, db_inclusion_p99_ms, db_consistency_p50_ms: proofs served from the
  tables by ``services.ledger`` (what the CLI and REST API call), on the ledger just written.

Best of ``--repeat`` runs each, interleaved.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

SRC = Path(__file__).resolve().parents[1] / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

from infoshare.ledger.events import EventKind, Outcome  # noqa: E402
from infoshare.ledger.keys import SigningKey  # noqa: E402
from infoshare.services import ledger  # noqa: E402
from infoshare.store import schema  # noqa: E402
from infoshare.store.database import Database  # noqa: E402
from infoshare.store.ledger_store import LedgerEvent  # noqa: E402
from infoshare.store.models import Base  # noqa: E402
from infoshare.store.writer import GroupWriter  # noqa: E402

T0 = datetime(2026, 1, 1, tzinfo=UTC)
KEY = SigningKey("bench.infoshare.example/leeds-2002", bytes(32))
ORGANISATIONS = ["LTHT", "LMHST", "WLPCT", "NWLPCT", "NELPCT", "ELPCT", "SLPCT", "LCC", "EDL"]


def events(writer: int, count: int) -> list[LedgerEvent]:
    return [
        LedgerEvent(
            time=T0 + timedelta(milliseconds=writer * count + n),
            kind=EventKind.DISCLOSURE_MADE,
            actor_staff=f"staff-{writer:04d}",
            actor_organisation=ORGANISATIONS[writer % len(ORGANISATIONS)],
            subject=f"subject-{writer * count + n:08d}",
            purpose="care",
            outcome=Outcome.SUCCESS,
            record_digest=f"{writer * count + n:064x}",
            record_type="disclosure",
            record_id=f"d-{writer}-{n}",
            counterparty="LCC",
        )
        for n in range(count)
    ]


def fresh_database(folder: Path, name: str) -> str:
    url = f"sqlite:///{folder / name}"
    schema.upgrade(url)
    return url


def run_group_commit(url: str, writers: int, per_writer: int, window: int) -> dict[str, float]:
    db = Database.open(url)
    writer = GroupWriter(db.sessions)
    prepared = [events(w, per_writer) for w in range(writers)]
    start = threading.Barrier(writers + 1)

    def work(mine: list[LedgerEvent]) -> None:
        start.wait()
        in_flight = []
        for item in mine:
            in_flight.append(writer.submit_append(item))
            if len(in_flight) >= window:
                for future in in_flight:
                    future.result()
                in_flight = []
        for future in in_flight:
            future.result()

    threads = [threading.Thread(target=work, args=(mine,)) for mine in prepared]
    for thread in threads:
        thread.start()
    start.wait()
    began, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    total = writers * per_writer
    figures = {
        "entries": total,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "per_s": total / elapsed,
        "batches": writer.batches,
        "mean_batch": total / max(writer.batches, 1),
    }
    db.dispose()
    return figures


def stored_rows(url: str) -> tuple[list[str], list[tuple[object, ...]], list[tuple[object, ...]]]:
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(ledger_entries)")]
        rows = connection.execute("SELECT * FROM ledger_entries ORDER BY sequence").fetchall()
        nodes = connection.execute('SELECT level, "index", hash FROM ledger_nodes').fetchall()
    finally:
        connection.close()
    return columns, rows, nodes


def run_plain_insert(
    url: str, columns: list[str], rows: list[tuple[object, ...]], batch: int
) -> dict[str, float]:
    connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f"INSERT INTO ledger_entries ({names}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
    began, cpu = time.perf_counter(), time.process_time()
    for offset in range(0, len(rows), batch):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(sql, rows[offset : offset + batch])
        connection.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    connection.close()
    return {"seconds": elapsed, "cpu_seconds": cpu, "per_s": len(rows) / elapsed}


def run_core_insert(
    url: str, columns: list[str], rows: list[tuple[object, ...]], batch: int
) -> dict[str, float]:
    """The same rows through SQLAlchemy Core's ``insert(table)`` executemany: how the rest of
    infoshare writes (types processed per value), on the same engine settings."""
    db = Database.open(url)
    table = Base.metadata.tables["ledger_entries"]
    dicts = [dict(zip(columns, row, strict=True)) for row in rows]
    for item in dicts:
        # the driver's text form back to what the column type binds
        item["at"] = datetime.fromisoformat(str(item["at"])).replace(tzinfo=UTC)
    began, cpu = time.perf_counter(), time.process_time()
    for offset in range(0, len(dicts), batch):
        with db.engine.begin() as connection:
            connection.execute(insert(table), dicts[offset : offset + batch])
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    db.dispose()
    return {"seconds": elapsed, "cpu_seconds": cpu, "per_s": len(rows) / elapsed}


def run_db_proofs(url: str, samples: int) -> dict[str, float]:
    """Inclusion and consistency proofs served from the tables (``services.ledger``), as the
    CLI and the REST API serve them: a read transaction, O(log n) indexed reads."""
    db = Database.open(url)
    try:
        half = ledger.checkpoint(db, KEY).size
        writer = GroupWriter(db.sessions)
        for item in events(999, 1000):
            writer.submit_append(item)
        writer.append(events(998, 1)[0])
        size = ledger.checkpoint(db, KEY).size
        rng = random.Random(6)
        inclusion, consistency = [], []
        for _ in range(samples):
            sequence = rng.randrange(size)
            began = time.perf_counter()
            ledger.inclusion(db.unit_of_work(), sequence, size)
            inclusion.append(time.perf_counter() - began)
            began = time.perf_counter()
            ledger.consistency(db.unit_of_work(), half, size)
            consistency.append(time.perf_counter() - began)
    finally:
        db.dispose()
    inclusion.sort()
    consistency.sort()
    return {
        "db_proof_tree_size": size,
        "db_inclusion_p50_ms": round(inclusion[len(inclusion) // 2] * 1e3, 3),
        "db_inclusion_p99_ms": round(inclusion[int(len(inclusion) * 0.99)] * 1e3, 3),
        "db_consistency_p50_ms": round(consistency[len(consistency) // 2] * 1e3, 3),
    }


def bench_append(writers: int, per_writer: int, window: int, repeat: int) -> dict[str, object]:
    best: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent) as folder:
        work = Path(folder)
        for run in range(repeat):
            url = fresh_database(work, f"group-{run}.db")
            group = run_group_commit(url, writers, per_writer, window)
            columns, rows, _ = stored_rows(url)
            assert [row[0] for row in rows] == list(range(writers * per_writer)), "gap or dup"
            batch = max(1, round(group["mean_batch"]))
            plain = run_plain_insert(fresh_database(work, f"plain-{run}.db"), columns, rows, batch)
            core = run_core_insert(fresh_database(work, f"core-{run}.db"), columns, rows, batch)
            if run == 0:
                proofs = run_db_proofs(url, 500)
            blocking = run_group_commit(
                fresh_database(work, f"blocking-{run}.db"), writers, per_writer // 4, 1
            )
            runs = (("group", group), ("plain", plain), ("core", core), ("blocking", blocking))
            for name, figures in runs:
                if name not in best or figures["per_s"] > best[name]["per_s"]:
                    best[name] = figures
            print(
                f"run {run}: group {group['per_s']:,.0f}/s (mean batch {group['mean_batch']:.0f}), "
                f"SQLAlchemy insert {core['per_s']:,.0f}/s, driver insert {plain['per_s']:,.0f}/s, "
                f"blocking {blocking['per_s']:,.0f}/s"
            )
    group, plain, core, blocking = best["group"], best["plain"], best["core"], best["blocking"]
    return proofs | {
        "append_writers": writers,
        "append_window": window,
        "append_entries": writers * per_writer,
        "append_per_s": round(group["per_s"]),
        "append_cpu_us_per_entry": round(group["cpu_seconds"] / group["entries"] * 1e6, 1),
        "append_mean_batch": round(group["mean_batch"], 1),
        "append_blocking_per_s": round(blocking["per_s"]),
        "append_blocking_mean_batch": round(blocking["mean_batch"], 1),
        "insert_per_s": round(core["per_s"]),
        "append_ratio_vs_insert": round(group["per_s"] / core["per_s"], 3),
        "driver_insert_per_s": round(plain["per_s"]),
        "append_ratio_vs_driver_insert": round(group["per_s"] / plain["per_s"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=32)
    parser.add_argument("--per-writer", type=int, default=2_000)
    parser.add_argument("--window", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/results/ledger.json"))
    args = parser.parse_args()
    load = [round(x, 2) for x in os.getloadavg()]
    figures = bench_append(args.writers, args.per_writer, args.window, args.repeat)
    figures["append_load_average_at_start"] = load
    figures["append_machine"] = platform.machine()
    for name, value in figures.items():
        print(f"{name}: {value}")
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    results.pop("append_note", None)
    results |= figures
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
