"""The service-user portal: CPU time per report read, and per portal sign-in.

    .venv/bin/python bench/bench_portal.py            # on the portal test world, 200 reads

A SQLite database is built as the portal tests build it (the leeds-2002 pack, staff and
agreements, one disclosure of Amara Okafor's information with one item kept from her, her
portal account). Then ``--reads`` reports are read through ``services/portal.report`` (each
one logged in the access log, as on the page), and ``--sign-ins`` portal sign-ins are made
(argon2id dominates those). Prints CPU time per operation (``time.process_time``, so the
figure means something on a loaded machine) and wall time with the load average.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from tests.support.accounts_world import PASSWORD
from tests.support.portal_world import PORTAL_EMAIL, build_portal_world

from infoshare.services.access_log import anonymous
from infoshare.services.database import open_database
from infoshare.services.portal import report
from infoshare.services.portal_accounts import sign_in
from infoshare.services.sessions import SessionPolicy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--sign-ins", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'portal.db'}"
        build_portal_world(url)
        database = open_database(url)
        policy = SessionPolicy(max_failures=10**6, max_failures_per_address=10**6)
        home = anonymous("192.0.2.7")
        try:
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(args.sign_ins):
                new = sign_in(
                    database.unit_of_work(),
                    email=PORTAL_EMAIL,
                    password=PASSWORD,
                    requester=home,
                    policy=policy,
                )
            sign_in_cpu = (time.process_time() - cpu) / args.sign_ins
            sign_in_wall = (time.perf_counter() - wall) / args.sign_ins
            user = new.signed_in
            requester = user.requester("192.0.2.7")
            report(database, requester, user.principal)  # warm
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(args.reads):
                report(database, requester, user.principal)
            read_cpu = (time.process_time() - cpu) / args.reads
            read_wall = (time.perf_counter() - wall) / args.reads
        finally:
            database.dispose()
    load = os.getloadavg()
    print(f"portal report read: {read_cpu * 1000:.2f} ms CPU, {read_wall * 1000:.2f} ms wall")
    print(f"portal sign-in:     {sign_in_cpu * 1000:.1f} ms CPU, {sign_in_wall * 1000:.1f} ms wall")
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
