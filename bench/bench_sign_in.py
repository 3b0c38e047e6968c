"""Sign-in timing: an unknown address and a wrong password should take the same time.

Builds a throwaway SQLite database with one account, then times ``sign_in`` for a wrong
password and for an unknown address (each verifies one argon2id hash), and a right one.
Prints the median and spread of each; the throttle is set high so it never intervenes.

    .venv/bin/python bench/bench_sign_in.py [rounds]
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from infoshare.errors import AuthenticationError
from infoshare.services.access_log import anonymous
from infoshare.services.accounts import create_account
from infoshare.services.database import open_database
from infoshare.services.sessions import SessionPolicy, sign_in
from infoshare.services.setup import initialise
from infoshare.services.staff import create_staff

PASSWORD = "correct horse battery staple"  # noqa: S105 - a throwaway benchmark account
POLICY = SessionPolicy(max_failures=10**6, max_failures_per_address=10**6)


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        initialise(url, "leeds-2002")
        db = open_database(url)
        create_staff(
            db.unit_of_work(),
            organisation_code="LTHT",
            name="Bench Person",
            email="bench@ltht.example",
            job_title="Nurse",
            roles=["practitioner"],
        )
        create_account(db.unit_of_work(), email="bench@ltht.example", password=PASSWORD)
        cases = {
            "wrong password": ("bench@ltht.example", "not the password"),
            "unknown address": ("nobody@ltht.example", "not the password"),
            "right password": ("bench@ltht.example", PASSWORD),
        }
        timings: dict[str, list[float]] = {name: [] for name in cases}
        moment = datetime.now(UTC)
        for n in range(rounds):
            for name, (email, password) in cases.items():
                start = time.perf_counter()
                with contextlib.suppress(AuthenticationError):
                    sign_in(
                        db.unit_of_work(),
                        email=email,
                        password=password,
                        requester=anonymous("192.0.2.1"),
                        policy=POLICY,
                        now=moment + timedelta(seconds=n),
                    )
                timings[name].append(time.perf_counter() - start)
        db.dispose()
    for name, values in timings.items():
        print(
            f"{name:>16}: median {statistics.median(values) * 1000:6.1f} ms, "
            f"min {min(values) * 1000:6.1f} ms, max {max(values) * 1000:6.1f} ms "
            f"({rounds} rounds)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
