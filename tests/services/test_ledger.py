"""services/ledger.py on an initialised database: what is recorded, proofs, and tampering found."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update

from infoshare.errors import LedgerEntryError, LedgerRangeError, NotFoundError
from infoshare.ledger.checkpoint import open_checkpoint
from infoshare.ledger.events import EventKind, decode_entry
from infoshare.ledger.verify import ProblemKind
from infoshare.services import group_commit, ledger
from infoshare.services.database import Database
from infoshare.services.keys import ensure_signing_key, load_signing_key
from infoshare.services.organisations import record_adoption
from infoshare.store.models import (
    LedgerCheckpointRecord,
    LedgerEntryRecord,
    LedgerHeadRecord,
    LedgerNodeRecord,
    OrganisationRecord,
)
from tests.services.conftest import NOW
from tests.store.ledger_events import KEY, event

#: the leeds-2002 pack: one pack load and the seven parties that had approved by Oct 2002
INITIAL = 8


def _sql(db: Database, statement: object) -> None:
    with db.sessions() as session:
        session.execute(statement)  # type: ignore[call-overload]
        session.commit()


def _grow(db: Database, count: int) -> None:
    for n in range(count):
        group_commit.append(db, event(n))


def test_initialising_records_the_pack_and_each_adoption_it_brings(db: Database) -> None:
    shown = ledger.entries(db.unit_of_work())
    kinds = [view.entry.kind for view in shown]
    assert kinds[0] is EventKind.PROTOCOL_LOADED
    assert kinds[1:] == [EventKind.ADOPTION_CONFIRMED] * (INITIAL - 1)
    adopters = {view.entry.actor_organisation for view in shown[1:]}
    assert "LTHT" in adopters
    assert "LCC" not in adopters  # its approval was awaited in 2002
    report = ledger.verify(db.unit_of_work(), KEY.verifier)
    assert report.ok, report.problem
    assert report.records_checked == INITIAL


def test_recording_an_adoption_appends_it_in_the_same_transaction(db: Database) -> None:
    record_adoption(
        db.unit_of_work(), "LCC", approved_on=date(2002, 11, 1),
        approving_body="Executive Board", minute_reference="EB/112", now=NOW,
    )  # fmt: skip
    newest = ledger.entries(db.unit_of_work(), tail=1)[0]
    assert newest.entry.sequence == INITIAL
    assert newest.entry.kind is EventKind.ADOPTION_CONFIRMED
    assert newest.entry.actor_organisation == "LCC"
    assert newest.entry.record_digest == ledger.adoption_digest(
        "LCC", date(2002, 11, 1), "Executive Board", "EB/112"
    )
    assert ledger.verify(db.unit_of_work(), KEY.verifier).ok


def test_work_that_fails_after_recording_leaves_no_entry(db: Database) -> None:
    def record_then_fail() -> None:
        with db.unit_of_work() as uow:
            ledger.record(uow, event(1))
            replace(event(2), actor_staff="two words")  # refused: free text

    with pytest.raises(LedgerEntryError, match="two words"):
        record_then_fail()
    assert ledger.head_size(db.unit_of_work()) == INITIAL


def test_proofs_verify_against_signed_checkpoints(db: Database) -> None:
    older = ledger.checkpoint(db, KEY, now=NOW)
    _grow(db, 30)
    newer = ledger.checkpoint(db, KEY, now=NOW)
    assert (older.size, newer.size) == (INITIAL, INITIAL + 30)
    opened_older = open_checkpoint(older.note, KEY.verifier)
    opened_newer = open_checkpoint(newer.note, KEY.verifier)
    for sequence in (0, 7, INITIAL, INITIAL + 29):
        proof = ledger.inclusion(db.unit_of_work(), sequence)
        assert decode_entry(proof.entry).sequence == sequence
        proof.verify(opened_newer)
    ledger.inclusion(db.unit_of_work(), 3, INITIAL).verify(opened_older)
    ledger.consistency(db.unit_of_work(), INITIAL, INITIAL + 30).verify(opened_older, opened_newer)


def test_checkpointing_twice_at_one_size_signs_once(db: Database) -> None:
    first = ledger.checkpoint(db, KEY, now=NOW)
    again = ledger.checkpoint(db, KEY)
    assert again.note == first.note
    assert len(ledger.checkpoints(db.unit_of_work())) == 1


def test_out_of_range_proof_requests_are_refused(db: Database) -> None:
    with pytest.raises(NotFoundError, match="no checkpoint yet"):
        ledger.inclusion(db.unit_of_work(), 0)
    ledger.checkpoint(db, KEY, now=NOW)
    with pytest.raises(LedgerRangeError, match="`8` is not covered"):
        ledger.inclusion(db.unit_of_work(), INITIAL)
    with pytest.raises(LedgerRangeError, match="`-1`"):
        ledger.inclusion(db.unit_of_work(), -1)
    with pytest.raises(NotFoundError, match="no checkpoint of size `5`"):
        ledger.inclusion(db.unit_of_work(), 0, 5)
    with pytest.raises(LedgerRangeError, match="at least 1"):
        ledger.consistency(db.unit_of_work(), 0, INITIAL)
    with pytest.raises(LedgerRangeError, match="`8` to `3`"):
        ledger.consistency(db.unit_of_work(), INITIAL, 3)
    with pytest.raises(NotFoundError, match="size `9`"):
        ledger.consistency(db.unit_of_work(), INITIAL, 9)


def _problem(db: Database) -> tuple[ProblemKind, int | None, str]:
    report = ledger.verify(db.unit_of_work(), KEY.verifier)
    assert report.problem is not None
    return report.problem.kind, report.problem.sequence, str(report.problem)


def test_a_changed_byte_in_a_stored_entry_is_found(db: Database) -> None:
    _grow(db, 20)
    with db.sessions() as session:
        body = session.get_one(LedgerEntryRecord, 12).body
    _sql(
        db,
        update(LedgerEntryRecord)
        .where(LedgerEntryRecord.sequence == 12)
        .values(body=body.replace(b"LTHT", b"LTHX")),
    )
    kind, sequence, line = _problem(db)
    assert (kind, sequence) == (ProblemKind.CHAIN_BROKEN, 12)
    assert line.startswith("entry 12: chain-broken")


def test_a_deleted_entry_is_found(db: Database) -> None:
    _grow(db, 20)
    _sql(db, delete(LedgerEntryRecord).where(LedgerEntryRecord.sequence == 5))
    assert _problem(db)[:2] == (ProblemKind.SEQUENCE_BROKEN, 5)


def test_entries_removed_from_the_end_are_found_against_the_head_and_checkpoints(
    db: Database,
) -> None:
    _grow(db, 20)
    ledger.checkpoint(db, KEY, now=NOW)
    _sql(db, delete(LedgerEntryRecord).where(LedgerEntryRecord.sequence >= 25))
    assert _problem(db)[:2] == (ProblemKind.TRUNCATED, 25)


def test_a_rewritten_head_row_is_found(db: Database) -> None:
    _grow(db, 3)
    _sql(db, update(LedgerHeadRecord).values(entry_hash=b"\x00" * 32))
    assert _problem(db)[0] is ProblemKind.STORE_MISMATCH


def test_a_forged_subtree_hash_is_found(db: Database) -> None:
    _grow(db, 40)
    _sql(db, update(LedgerNodeRecord).values(hash=b"\x11" * 32))
    kind, _, line = _problem(db)
    assert kind is ProblemKind.STORE_MISMATCH
    assert "ledger_nodes" in line


def test_an_adoption_changed_after_it_was_recorded_is_found(db: Database) -> None:
    _sql(
        db,
        update(OrganisationRecord)
        .where(OrganisationRecord.code == "LTHT")
        .values(approving_body="A board that never met"),
    )
    kind, sequence, line = _problem(db)
    assert kind is ProblemKind.RECORD_CHANGED
    assert "organisation-adoption `LTHT`" in line
    assert sequence is not None


def test_a_corrupt_checkpoint_is_found(db: Database) -> None:
    ledger.checkpoint(db, KEY, now=NOW)
    _sql(db, update(LedgerCheckpointRecord).values(note=text("replace(note, '8', '9')")))
    assert _problem(db)[0] is ProblemKind.CHECKPOINT_INVALID


def test_a_checkpoint_from_another_key_does_not_verify(db: Database) -> None:
    from infoshare.ledger.keys import SigningKey

    ledger.checkpoint(db, SigningKey(KEY.name, b"\x01" * 32), now=NOW)
    kind, _, line = _problem(db)
    assert kind is ProblemKind.CHECKPOINT_INVALID
    assert "not signed by the key `infoshare.test/ledger`" in line


def test_a_long_running_process_checkpoints_as_the_ledger_grows(
    db: Database, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    assert not ledger.start_checkpointing(db, keys, every=10)  # no key yet: nothing changes
    ensure_signing_key(keys, "infoshare.local/leeds-2002")
    assert ledger.start_checkpointing(db, keys, every=10)
    _grow(db, 25)
    sizes = [c.size for c in ledger.checkpoints(db.unit_of_work())]
    assert sizes == [10, 20, 30]
    verifier = load_signing_key(keys).verifier
    assert ledger.verify(db.unit_of_work(), verifier).verification.checkpoints == 3


def test_a_query_column_changed_behind_its_bytes_is_found_by_a_thorough_check(
    db: Database,
) -> None:
    _grow(db, 5)
    _sql(
        db,
        update(LedgerEntryRecord)
        .where(LedgerEntryRecord.sequence == INITIAL + 2)
        .values(subject="someone-else"),
    )
    assert ledger.verify(db.unit_of_work(), KEY.verifier).ok  # the hashed bytes are intact
    report = ledger.verify(db.unit_of_work(), KEY.verifier, thorough=True)
    assert report.problem is not None
    assert report.problem.kind is ProblemKind.STORE_MISMATCH
    assert report.problem.sequence == INITIAL + 2
    assert "subject" in report.problem.detail
