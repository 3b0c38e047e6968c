"""How long the stored consent services take: the coverage check (Procedure A4) read from the
database, recording a consent, and a bulk import, on SQLite.

Run: .venv/bin/python bench/bench_consent_store.py
Prints wall time per call; no assertion. PostgreSQL is exercised by the tests, not timed here.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from infoshare.services.consent import (
    ConsentDraft,
    CoverageQuery,
    check_coverage,
    import_consents,
    record_consent,
)
from infoshare.services.database import open_database
from infoshare.services.service_users import register_service_user
from infoshare.services.setup import initialise

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
PERSON = "9434765919"


def _draft(index: int) -> ConsentDraft:
    return ConsentDraft.model_validate(
        {
            "nhs_number": PERSON, "decision": "given", "obtained_by": "Bench",
            "obtained_by_organisation": "LTHT",
            "obtained_at": NOW - timedelta(days=2_000 - index),
            "method": "electronic", "explained_purposes": ["care", "support"],
            "explained_data_categories": ["physical-health", "mental-health", "housing"],
            "explained_recipients": ["LCC", "LMHST"], "leaflet_given": True,
            "purposes": ["care", "support"][: 1 + index % 2],
            "data_categories": ["physical-health", "mental-health", "housing"][: 1 + index % 3],
            "recipients": ["LCC", "LMHST"][: 1 + index % 2],
            "exclusions": [{"recipients": ["WYP"]}] if index % 5 == 0 else [],
        }
    )  # fmt: skip


def _timed(label: str, calls: int, action: object) -> None:
    start = time.perf_counter()
    for _ in range(calls):
        action()  # type: ignore[operator]
    per_call = (time.perf_counter() - start) / calls
    print(f"{label:<46} {per_call * 1000:8.2f} ms per call ({calls} calls)")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        initialise(url, "leeds-2002", now=NOW)
        db = open_database(url)
        person = {"given_name": "Bench", "family_name": "Person", "now": NOW}
        register_service_user(db.unit_of_work(), nhs_number=PERSON,
                              date_of_birth=date(1970, 1, 1), **person)  # fmt: skip
        query = CoverageQuery(nhs_number=PERSON, recipient="LCC", purpose="care",
                              data_categories=["physical-health", "housing"], at=NOW)  # fmt: skip
        done = 0
        for size in (1, 10, 100):
            while done < size:
                record_consent(db.unit_of_work(), _draft(done), now=NOW)
                done += 1
            _timed(f"coverage check, history of {size} consents", 50,
                   lambda: check_coverage(db.unit_of_work(), query))  # fmt: skip
        _timed("record one consent", 50,
               lambda: record_consent(db.unit_of_work(), _draft(7), now=NOW))  # fmt: skip
        rows = [(i, _draft(i)) for i in range(1_000)]
        start = time.perf_counter()
        _stored, rejected = import_consents(db.unit_of_work(), rows, now=NOW)
        elapsed = time.perf_counter() - start
        assert not rejected
        print(f"{'import of 1,000 consents (one transaction)':<46} {elapsed:8.2f} s")
        db.dispose()


if __name__ == "__main__":
    main()
