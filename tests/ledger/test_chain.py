"""The hash chain and the ledger head: every entry's hash covers all the entries before it."""

from __future__ import annotations

import hashlib

import pytest

from infoshare.errors import LedgerRangeError
from infoshare.ledger.chain import GENESIS, LedgerHead, chain_hash
from infoshare.ledger.events import encode_entry
from infoshare.ledger.merkle import leaf_hash, root_of
from infoshare.ledger.tree import MemoryHashStore, compact_range, tree_root
from tests.ledger.builders import make_entry


def test_the_genesis_hash_is_the_documented_constant() -> None:
    assert hashlib.sha256(b"infoshare ledger v1 genesis").digest() == GENESIS


def test_sealing_chains_each_body_onto_the_previous_hash() -> None:
    head = LedgerHead()
    first, second = head.seal(make_entry(0)), head.seal(make_entry(1))
    assert first.body == encode_entry(make_entry(0))
    assert first.entry_hash == hashlib.sha256(GENESIS + first.body).digest()
    assert second.entry_hash == chain_hash(first.entry_hash, second.body)
    assert second.leaf == leaf_hash(second.body)
    assert head.root() == root_of([first.leaf, second.leaf])
    assert (head.size, head.entry_hash) == (2, second.entry_hash)


@pytest.mark.parametrize("sequence", [0, 2, 5])
def test_an_entry_out_of_turn_is_refused_and_changes_nothing(sequence: int) -> None:
    head = LedgerHead()
    head.seal(make_entry(0))
    before = (head.size, head.entry_hash, head.root())
    with pytest.raises(LedgerRangeError, match=f"`{sequence}` does not follow.*must be number 1"):
        head.seal(make_entry(sequence))
    assert (head.size, head.entry_hash, head.root()) == before


def test_sealing_reports_every_subtree_it_completes_and_a_head_resumes_from_them() -> None:
    head, store = LedgerHead(), MemoryHashStore()
    for sequence in range(23):
        sealed = head.seal(make_entry(sequence))
        assert sealed.nodes[0] == (0, sequence, sealed.leaf)
        store.extend([sealed.leaf])
        for level, index, node in sealed.nodes:
            assert store.get(level, index) == node
        # Entry 7 completes subtrees of 1, 2, 4 and 8 leaves.
        assert len(sealed.nodes) == ((sequence + 1) & -(sequence + 1)).bit_length()
    resumed = LedgerHead(head.size, head.entry_hash, compact_range(store, head.size))
    assert resumed.root() == head.root() == tree_root(store, 23)
    assert resumed.seal(make_entry(23)) == head.seal(make_entry(23))
