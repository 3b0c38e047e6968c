"""How long ``infoshare demo --size leeds`` takes: 10,000 staff, 100,000 service users.

    .venv/bin/python bench/bench_demo_load.py                  # SQLite and PostgreSQL
    .venv/bin/python bench/bench_demo_load.py --size small     # quicker

Prints seconds for the schema and pack (``initialise``) and for the demo rows
(``build_demo``, bulk inserts in one transaction) on SQLite in a temporary folder and, when
PostgreSQL's binaries are installed, on a throwaway PostgreSQL server (as the tests start
one). Writes the figures to bench/results/demo_load.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from infoshare.services.database import open_database
from infoshare.services.demo import DEMO_SIZES, build_demo
from infoshare.services.setup import initialise

RESULTS = Path(__file__).parent / "results" / "demo_load.json"


def measure(url: str, size: str) -> dict[str, float | int]:
    started = time.perf_counter()
    initialise(url, "leeds-2002")
    initialised = time.perf_counter()
    db = open_database(url)
    try:
        report = build_demo(db, DEMO_SIZES[size], seed=2002)
    finally:
        db.dispose()
    done = time.perf_counter()
    return {
        "initialise_s": round(initialised - started, 2),
        "demo_s": round(done - initialised, 2),
        "staff": report.staff,
        "service_users": report.service_users,
        "local_identifiers": report.local_identifiers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(DEMO_SIZES), default="leeds")
    args = parser.parse_args()
    figures: dict[str, object] = {"size": args.size}
    with tempfile.TemporaryDirectory() as folder:
        figures["sqlite"] = measure(f"sqlite:///{folder}/bench.db", args.size)
        print("sqlite     ", figures["sqlite"])
    # The tests' throwaway PostgreSQL server, started the same way here.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.support.postgres import find_bindir, running_postgres

    bindir = find_bindir()
    if bindir is not None:
        with running_postgres(bindir) as server:
            figures["postgresql"] = measure(server.create_database(), args.size)
            print("postgresql ", figures["postgresql"])
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
