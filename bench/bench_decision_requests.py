"""What storing a dry run or a refusal costs: the ``decision:asked`` entry alone (as before
issue 4's remainder) against the entry and its ``decision_requests`` row, in one grouped write,
on SQLite (Principle 6, Procedure A7).

Run: .venv/bin/python bench/bench_decision_requests.py [calls]
Prints CPU time (``time.process_time``) and wall time per write, one writer, no assertion;
the machine may be shared, so read the CPU figure and say the load average with the wall one.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from infoshare.policy.decision import (
    Basis,
    BasisKind,
    ClaimedBasis,
    ClaimKind,
    Decision,
    DisclosureRequest,
    Outcome,
)
from infoshare.services import decision_requests, group_commit, ledger
from infoshare.services.database import Database, open_database
from infoshare.services.decision_requests import RequestSource
from infoshare.services.service_users import register_service_user
from infoshare.services.setup import initialise
from infoshare.store.writer import WriteContext

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
PERSON = "9434765919"


def _request(person: uuid.UUID, index: int) -> DisclosureRequest:
    return DisclosureRequest(
        requester="pat.practitioner@ltht.example",
        provider="LTHT",
        recipient="LCC",
        subject_id=str(person),
        purpose="care",
        data_categories=("identity", "physical-health", "social-care-needs"),
        transfer_method="post",
        at=NOW + timedelta(microseconds=index),
        basis=ClaimedBasis(kind=ClaimKind.CONSENT),
        isa_reference="LEEDS-ISA-2003-001",
        recipient_role="practitioner",
    )


DENIED = Decision(
    outcome=Outcome.DENY,
    permitted=(),
    withheld=(),
    conditions=(),
    basis=Basis(kind=BasisKind.NONE),
    reasons=(),
    isa_reference="LEEDS-ISA-2003-001",
)


def _entry_only(db: Database, person: uuid.UUID, index: int) -> None:
    record = decision_requests.new_record(
        _request(person, index), DENIED, source=RequestSource.REFUSED, service_user_id=person
    )
    event = decision_requests.asked_event(record, actor_organisation="LTHT")
    group_commit.append(db, replace(event, record_type=None, record_id=None))


def _entry_and_row(db: Database, person: uuid.UUID, index: int) -> None:
    record = decision_requests.new_record(
        _request(person, index), DENIED, source=RequestSource.REFUSED, service_user_id=person
    )
    event = decision_requests.asked_event(record, actor_organisation="LTHT")

    def store(ctx: WriteContext) -> int:
        record.ledger_sequence = ledger.record(ctx, event)
        decision_requests.add(ctx.session, record)
        return record.ledger_sequence

    group_commit.write(db, store)


def _per_write(calls: int, start: int, action: Callable[[int], None]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for index in range(start, start + calls):
        action(index)
    return (time.process_time() - cpu) / calls * 1000, (time.perf_counter() - wall) / calls * 1000


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    rounds = 7
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        initialise(url, "leeds-2002", now=NOW)
        db = open_database(url)
        person = register_service_user(
            db.unit_of_work(), nhs_number=PERSON, given_name="Bench", family_name="Person",
            date_of_birth=date(1970, 1, 1), now=NOW,
        ).id  # fmt: skip
        variants: dict[str, Callable[[int], None]] = {
            "decision:asked entry only": lambda i: _entry_only(db, person, i),
            "entry + decision_requests row": lambda i: _entry_and_row(db, person, i),
        }
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        done = 0
        # Interleaved rounds, so both variants see the same load; the first round warms up.
        for round_ in range(rounds + 1):
            for name, action in variants.items():
                figure = _per_write(calls, done, action)
                done += calls
                if round_:
                    figures[name].append(figure)
        db.dispose()
    for name, measured in figures.items():
        cpu = sorted(c for c, _ in measured)
        wall = sorted(w for _, w in measured)
        print(
            f"{name:<32} CPU {cpu[0]:.3f} ms best, {cpu[len(cpu) // 2]:.3f} ms median; "
            f"wall {wall[len(wall) // 2]:.3f} ms median per write ({rounds} x {calls})"
        )
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
