"""Proofs from stored subtree hashes: the ``HashStore`` interface and an in-memory store.

Principle 12 gives people access to what is recorded about them, and Section 4.3 has the
steering group monitor disclosures; both are served by inclusion proofs ("this disclosure
is in the ledger") and consistency proofs ("nothing recorded before was rewritten") that any
outsider can check against a signed checkpoint.

A proof needs O(log n) roots of perfect subtrees. The hash of the perfect subtree at
``level`` covering leaves ``[index·2^level, (index+1)·2^level)`` never changes once its last
leaf is appended, so it can be stored once and read back by ``(level, index)``: that is the
whole ``HashStore`` contract. Proofs then cost O(log n) reads at any tree size, and a proof
for an older tree size (an older checkpoint) comes from the same store.

``MemoryHashStore`` keeps levels ≥ ``min_level`` in memory and recomputes the few lower
nodes a proof needs from leaf hashes fetched on demand; at ``min_level`` k it holds about
2·n/2^k hashes instead of 2·n. The shell's database store will follow the same contract.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from infoshare.errors import LedgerRangeError
from infoshare.ledger.merkle import (
    HASH_SIZE,
    NODE_PREFIX,
    CompactRange,
    fold_right,
    root_of,
    split_point,
)

#: leaf hashes ``[start, end)``, fetched from wherever the entries live
LeafSource = Callable[[int, int], Sequence[bytes]]


class HashStore(Protocol):
    """Roots of perfect subtrees, by level and index. Append-only, so entries never change."""

    @property
    def size(self) -> int:
        """How many leaves the store covers."""
        ...

    def get(self, level: int, index: int) -> bytes:
        """The root of the perfect subtree over leaves ``[index << level, (index+1) << level)``.

        Raises ``LedgerRangeError`` if that subtree is not complete yet.
        """
        ...


class MemoryHashStore:
    """A ``HashStore`` in memory, holding levels ≥ ``min_level``; lower ones come from leaves.

    With ``min_level`` 0 it keeps every leaf hash and needs no ``leaves`` source.
    """

    def __init__(self, min_level: int = 0, leaves: LeafSource | None = None) -> None:
        if min_level < 0 or (min_level > 0 and leaves is None):
            raise LedgerRangeError(
                f"a store from level `{min_level}` needs a leaf source for the levels below it; "
                "give `leaves`, or use min_level 0"
            )
        self._min_level = min_level
        self._leaves = leaves
        self._levels: list[bytearray] = []
        self._block: list[bytes] = []
        self._block_size = 1 << min_level
        self._size = 0

    @property
    def size(self) -> int:
        return self._size

    @property
    def stored_hashes(self) -> int:
        """How many 32-byte hashes the store holds: its memory cost."""
        return sum(len(level) for level in self._levels) // HASH_SIZE

    def append(self, leaf: bytes) -> None:
        """Add the next leaf, given as its leaf hash."""
        self._size += 1
        if self._min_level:
            self._block.append(leaf)
            if len(self._block) < self._block_size:
                return
            leaf = root_of(self._block)
            self._block = []
        self._push(0, leaf)

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Add leaves in order, given as leaf hashes."""
        for leaf in leaves:
            self.append(leaf)

    def _push(self, depth: int, node: bytes) -> None:
        levels = self._levels
        while True:
            if depth == len(levels):
                levels.append(bytearray())
            level = levels[depth]
            level += node
            count = len(level) // HASH_SIZE
            if count & 1:
                return
            node = _node(level[-2 * HASH_SIZE : -HASH_SIZE], level[-HASH_SIZE:])
            depth += 1

    def get(self, level: int, index: int) -> bytes:
        if level < 0 or index < 0 or (index + 1) << level > self._size:
            raise LedgerRangeError(
                f"the subtree at level `{level}`, index `{index}` is not complete in a tree of "
                f"size `{self._size}`; ask only for subtrees inside the tree"
            )
        if level < self._min_level:
            assert self._leaves is not None
            start = index << level
            return root_of(self._leaves(start, start + (1 << level)))
        stored = self._levels[level - self._min_level]
        offset = index * HASH_SIZE
        return bytes(stored[offset : offset + HASH_SIZE])


def _node(left: bytes | bytearray, right: bytes | bytearray) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _check_size(tree_size: int, store: HashStore) -> None:
    if not 0 <= tree_size <= store.size:
        raise LedgerRangeError(
            f"the tree size `{tree_size}` is beyond the ledger's `{store.size}` entries; "
            f"ask for a size from 0 to {store.size}"
        )


def range_root(store: HashStore, start: int, end: int) -> bytes:
    """The root over leaves ``[start, end)``, a range RFC 9162's splits produce.

    Such a range starts at a multiple of a power of two at least its length, so it is a run
    of perfect subtrees, largest first.
    """
    roots: list[bytes] = []
    while start < end:
        level = (end - start).bit_length() - 1
        assert start % (1 << level) == 0, "range_root needs a range from RFC 9162's splits"
        roots.append(store.get(level, start >> level))
        start += 1 << level
    return fold_right(roots)


def tree_root(store: HashStore, tree_size: int) -> bytes:
    """The root of the tree of the first ``tree_size`` leaves."""
    _check_size(tree_size, store)
    return range_root(store, 0, tree_size)


def inclusion_proof(store: HashStore, leaf_index: int, tree_size: int) -> list[bytes]:
    """The audit path of RFC 9162 §2.1.3.1 for ``leaf_index`` in the tree of ``tree_size``."""
    _check_size(tree_size, store)
    if not 0 <= leaf_index < tree_size:
        raise LedgerRangeError(
            f"the sequence number `{leaf_index}` is not in a tree of size `{tree_size}`; "
            f"ask for one from 0 to {tree_size - 1}"
        )
    path: list[bytes] = []
    lo, hi = 0, tree_size
    while hi - lo > 1:
        k = split_point(hi - lo)
        if leaf_index < lo + k:
            path.append(range_root(store, lo + k, hi))
            hi = lo + k
        else:
            path.append(range_root(store, lo, lo + k))
            lo += k
    path.reverse()
    return path


def consistency_proof(store: HashStore, size1: int, size2: int) -> list[bytes]:
    """The consistency proof of RFC 9162 §2.1.4.1 from the tree of ``size1`` to ``size2``."""
    _check_size(size2, store)
    if not 0 < size1 <= size2:
        raise LedgerRangeError(
            f"a consistency proof goes from a size of at least 1 to a size no smaller; "
            f"`{size1}` to `{size2}` does not"
        )
    path: list[bytes] = []
    m, lo, hi, whole = size1, 0, size2, True
    while m != hi - lo:
        k = split_point(hi - lo)
        if m <= k:
            path.append(range_root(store, lo + k, hi))
            hi = lo + k
        else:
            path.append(range_root(store, lo, lo + k))
            m -= k
            lo += k
            whole = False
    if not whole:
        path.append(range_root(store, lo, hi))
    path.reverse()
    return path


def compact_range(store: HashStore, tree_size: int) -> CompactRange:
    """The right edge of the tree of ``tree_size`` leaves, read back from ``store``.

    How a writer resumes after a restart: one read per set bit of the size.
    """
    _check_size(tree_size, store)
    hashes: list[bytes] = []
    start = 0
    for level in range(tree_size.bit_length() - 1, -1, -1):
        if tree_size >> level & 1:
            hashes.append(store.get(level, start >> level))
            start += 1 << level
    return CompactRange(tree_size, hashes)
