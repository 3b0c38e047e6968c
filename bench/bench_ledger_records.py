"""What holding the governance tables against the ledger costs in ``infoshare ledger verify``,
per record, on SQLite (Principle 6; docs/ledger.md, "What verify holds against the
governance tables").

Builds an initialised database with N disclosures (each row and its ``disclosure:made``
entry, the digest as ``services/disclosures.py`` builds it), then times ``ledger.verify``
whole and ``ledger_records.check`` alone: CPU time (``time.process_time``, what to judge a
change by on a shared machine) and wall time, best of 3, with the load average.

Run: .venv/bin/python bench/bench_ledger_records.py [N]   (default 20,000)
Prints figures; no assertion.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from infoshare.ledger.events import EventKind
from infoshare.ledger.keys import SigningKey
from infoshare.services import ledger, ledger_records, sharing_ledger
from infoshare.services.database import open_database
from infoshare.services.service_users import register_service_user
from infoshare.services.setup import initialise
from infoshare.store.models import DisclosureRecord

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
PERSON = "9434765919"
BATCH = 5_000


def _row(index: int, person: uuid.UUID) -> dict[str, Any]:
    items = [
        {"category": "identity", "content": f"person {index}", "reference": None,
         "nature": "fact", "confidential_from_subject": False, "confidential_reason": None,
         "confidential_ground": None, "anonymised": False},
        {"category": "physical-health", "content": "discharged after a fall", "reference": None,
         "nature": "opinion", "confidential_from_subject": False, "confidential_reason": None,
         "confidential_ground": None, "anonymised": False},
    ]  # fmt: skip
    return {
        "id": uuid.uuid4(), "made_at": NOW + timedelta(seconds=index),
        "requester": "a@ltht.example",
        "provider": "LTHT", "recipient": "LCC", "recipient_role": "practitioner",
        "service_user_id": person, "purpose": "care", "isa_reference": "LEEDS-ISA-2003-001",
        "transfer_method": "email", "outcome": "permit", "basis": "consent",
        "decision": {"outcome": "permit", "permitted": ["identity", "physical-health"],
                     "reasons": [{"code": "consent-covers", "clause": "Principle 5"}]},
        "items": items, "subject_informed": True, "not_informed_reason": None,
        "derived_from_id": None, "referral_id": None, "police_request": None,
    }  # fmt: skip


def _event(row: dict[str, Any]) -> ledger.LedgerEvent:
    return ledger.LedgerEvent(
        time=row["made_at"],
        kind=EventKind.DISCLOSURE_MADE,
        actor_staff=row["requester"],
        actor_organisation="LTHT",
        subject=str(row["service_user_id"]),
        purpose="care",
        reason="consent",
        record_digest=sharing_ledger.disclosure_digest(row, None),
        record_type=sharing_ledger.DISCLOSURE_RECORD,
        record_id=str(row["id"]),
        counterparty="LCC",
    )


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        initialise(url, "leeds-2002", now=NOW)
        db = open_database(url)
        person = register_service_user(
            db.unit_of_work(), nhs_number=PERSON, given_name="Bench", family_name="Person",
            now=NOW,
        ).id  # fmt: skip
        for start in range(0, count, BATCH):
            rows = [_row(i, person) for i in range(start, min(count, start + BATCH))]
            with db.unit_of_work() as uow:
                sequences = ledger.record_all(uow, [_event(row) for row in rows])
                for row, sequence in zip(rows, sequences, strict=True):
                    row["ledger_sequence"] = sequence
                uow.session.execute(insert(DisclosureRecord.__table__), rows)
                uow.commit()
        key = SigningKey("bench", b"\x01" * 32).verifier
        whole: list[tuple[float, float]] = []
        alone: list[tuple[float, float]] = []
        for _ in range(3):
            cpu, wall = time.process_time(), time.perf_counter()
            report = ledger.verify(db.unit_of_work(), key)
            whole.append((time.process_time() - cpu, time.perf_counter() - wall))
            assert report.ok, report.problem
            with db.sessions() as session:
                cpu, wall = time.process_time(), time.perf_counter()
                found = ledger_records.check(session, report.size, ledger.RECORD_TYPES)
                alone.append((time.process_time() - cpu, time.perf_counter() - wall))
        db.dispose()
    load = os.getloadavg()
    best_whole, best_alone = min(whole), min(alone)
    print(f"{report.size:,} entries, {found.entries:,} held against {found.records:,} records")
    print(
        f"verify whole: {best_whole[0]:.2f} s CPU ({best_whole[1]:.2f} s wall); "
        f"records check alone: {best_alone[0]:.2f} s CPU ({best_alone[1]:.2f} s wall), "
        f"{best_alone[0] / found.records * 1e6:.0f} µs CPU per record"
    )
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
