"""The hash chain, and the head of the ledger that every append advances.

Principle 6's audit record must be append-only to be worth anything: each entry's hash
covers the hash of the entry before it, so changing, removing, inserting or reordering any
entry changes every hash after it.

    entry_hash[0] = SHA-256(GENESIS || body[0])
    entry_hash[i] = SHA-256(entry_hash[i-1] || body[i])

where ``body[i]`` is the canonical JSON of entry ``i`` (``events.encode_entry``) and
``GENESIS`` is SHA-256 of the ASCII text ``infoshare ledger v1 genesis``, so a chain of this
ledger cannot be confused with any other hash chain of the same bodies.

``LedgerHead`` is the state a writer keeps between appends (size, last entry hash and the
Merkle compact range); ``seal`` turns the next ``LedgerEntry`` into the ``SealedEntry`` the
shell stores. It is pure: the shell serialises appends and persists what comes back. After
a restart the shell rebuilds it from storage with ``LedgerHead(size, last entry hash,
tree.compact_range(store, size))``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Final

from infoshare.errors import LedgerRangeError
from infoshare.ledger.events import LedgerEntry, encode_entry
from infoshare.ledger.merkle import CompactRange, leaf_hash

GENESIS: Final = hashlib.sha256(b"infoshare ledger v1 genesis").digest()


def chain_hash(previous: bytes, body: bytes) -> bytes:
    """The entry hash of ``body`` following the entry hash ``previous``."""
    return hashlib.sha256(previous + body).digest()


@dataclass(frozen=True, slots=True)
class SealedEntry:
    """One entry as stored: its sequence number, canonical bytes, entry hash and leaf hash."""

    sequence: int
    #: the canonical JSON of the entry, exactly the bytes that were hashed
    body: bytes
    #: the chain hash ending at this entry
    entry_hash: bytes
    #: SHA-256(0x00 || body): this entry's leaf in the Merkle tree
    leaf: bytes
    #: the perfect subtrees this entry completes, ``(level, index, hash)``, leaf first:
    #: what the shell adds to its ``HashStore``
    nodes: tuple[tuple[int, int, bytes], ...] = ()


@dataclass(slots=True)
class LedgerHead:
    """Where the ledger ends: how many entries, the last entry hash, and the tree's right edge."""

    size: int = 0
    entry_hash: bytes = GENESIS
    tree: CompactRange = field(default_factory=CompactRange)

    def seal(self, entry: LedgerEntry) -> SealedEntry:
        """Append ``entry`` (whose sequence must be ``size``) and return what to store."""
        if entry.sequence != self.size:
            raise LedgerRangeError(
                f"the entry's sequence number `{entry.sequence}` does not follow the ledger's "
                f"head; the next entry must be number {self.size}",
                field="sequence",
            )
        body = encode_entry(entry)
        leaf = leaf_hash(body)
        sealed = SealedEntry(
            sequence=entry.sequence,
            body=body,
            entry_hash=chain_hash(self.entry_hash, body),
            leaf=leaf,
            nodes=tuple(self.tree.append(leaf)),
        )
        self.size += 1
        self.entry_hash = sealed.entry_hash
        return sealed

    def root(self) -> bytes:
        """The Merkle root of the entries so far: what the next checkpoint signs."""
        return self.tree.root()
