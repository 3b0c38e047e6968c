"""The ledger's tables as a ``HashStore``: proofs from the database equal the core's in memory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from infoshare.errors import LedgerRangeError
from infoshare.ledger.tree import MemoryHashStore, consistency_proof, inclusion_proof, tree_root
from infoshare.store.database import Database
from infoshare.store.ledger_store import DatabaseHashStore, RecordingStore
from infoshare.store.models import LedgerEntryRecord
from infoshare.store.writer import GroupWriter
from tests.store.ledger_events import event

COUNT = 70  # past several multiples of 16, the lowest stored level


@pytest.fixture
def db(migrated_database_url: str) -> Iterator[Database]:
    database = Database.open(migrated_database_url)
    writer = GroupWriter(database.sessions)
    for n in range(COUNT):
        writer.submit_append(event(n))
    writer.append(event(COUNT))
    yield database
    database.dispose()


def test_proofs_from_the_tables_equal_proofs_in_memory(db: Database) -> None:
    with db.sessions() as session:
        leaves = [bytes(h) for h in session.scalars(
            select(LedgerEntryRecord.leaf_hash).order_by(LedgerEntryRecord.sequence)
        )]  # fmt: skip
        memory = MemoryHashStore()
        memory.extend(leaves)
        for size in (1, 2, 15, 16, 17, 32, 33, 48, 64, 65, COUNT + 1):
            stored = DatabaseHashStore(session, size)
            assert tree_root(stored, size) == tree_root(memory, size)
            for index in range(size):
                recorder = RecordingStore(size)
                inclusion_proof(recorder, index, size)
                prefetched = DatabaseHashStore(session, size)
                prefetched.prefetch(recorder.wanted)
                expected = inclusion_proof(memory, index, size)
                assert inclusion_proof(stored, index, size) == expected
                assert inclusion_proof(prefetched, index, size) == expected
            for older in range(1, size + 1, 7):
                assert consistency_proof(stored, older, size) == consistency_proof(
                    memory, older, size
                )


def test_subtrees_outside_the_tree_are_refused(db: Database) -> None:
    with db.sessions() as session:
        store = DatabaseHashStore(session, 20)
        with pytest.raises(LedgerRangeError, match="not complete in a tree of size `20`"):
            store.get(4, 1)
        with pytest.raises(LedgerRangeError, match="beyond the ledger"):
            inclusion_proof(store, 3, 21)
