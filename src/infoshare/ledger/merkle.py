"""The ledger's Merkle tree: RFC 9162 §2.1 hashing, roots, and proof verification.

Principle 6 asks for decisions "recorded for audit purposes"; Section 4.3 has the steering
group monitor them. A Merkle tree lets an auditor holding one signed root check that any
single record is in the ledger (an inclusion proof) and that a later root extends an earlier
one without rewriting it (a consistency proof), without seeing the rest of the ledger.

Hashing is RFC 6962/9162's: a leaf is ``SHA-256(0x00 || entry bytes)``, an inner node is
``SHA-256(0x01 || left || right)``, and the root of ``n`` leaves splits at the largest power
of two below ``n``. The empty tree's root is ``SHA-256("")``.

Verification follows the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2 word for word, with
the conventions of the public test vectors: every hash walked must be exactly 32 bytes, a
consistency proof from the empty tree is refused, and equal sizes need an empty proof and
equal roots. Generating proofs needs stored subtree hashes: see ``tree.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Final

from infoshare.errors import LedgerRangeError, ProofError

HASH_SIZE: Final = 32
LEAF_PREFIX: Final = b"\x00"
NODE_PREFIX: Final = b"\x01"
#: the root of the tree with no leaves (RFC 9162 §2.1.1)
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: ``SHA-256(0x00 || data)``."""
    return _sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: ``SHA-256(0x01 || left || right)``."""
    return _sha256(NODE_PREFIX + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two strictly below ``size`` (``size`` ≥ 2): where RFC 9162 splits."""
    return 1 << ((size - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """The root of the tree whose leaves hash to ``leaf_hashes`` (RFC 9162 MTH)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    # Pairing level by level, and carrying an odd last node up unchanged, builds exactly the
    # tree of RFC 9162's largest-power-of-two split.
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


class CompactRange:
    """The roots of the perfect subtrees covering leaves ``[0, size)``: O(log n) memory.

    Appending a leaf merges equal-sized subtrees, so the tree's root is always at hand while
    entries stream past (verification) or are appended (the shell's write path).
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()) -> None:
        self._size = size
        self._hashes = list(hashes)
        if len(self._hashes) != size.bit_count():
            raise LedgerRangeError(
                f"a compact range of size `{size}` needs {size.bit_count()} subtree hashes, "
                f"not {len(self._hashes)}; give one per set bit of the size, largest first"
            )

    @property
    def size(self) -> int:
        """How many leaves the range covers."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The perfect subtrees' roots, largest (leftmost) first: what the shell stores."""
        return tuple(self._hashes)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf, given as its leaf hash.

        Returns the perfect subtrees this leaf completes, as ``(level, index, hash)``, the
        leaf itself first: exactly what a ``HashStore`` gains from this append.
        """
        hashes = self._hashes
        position = carry = self._size
        level = 0
        completed = [(0, position, leaf)]
        while carry & 1:
            leaf = _sha256(NODE_PREFIX + hashes.pop() + leaf).digest()
            carry >>= 1
            level += 1
            completed.append((level, position >> level, leaf))
        hashes.append(leaf)
        self._size += 1
        return completed

    def root(self) -> bytes:
        """The root of the tree of the leaves appended so far."""
        return fold_right(self._hashes)


def fold_right(subtree_roots: Sequence[bytes]) -> bytes:
    """The root over perfect subtrees given largest first: how RFC 9162 joins the right edge."""
    if not subtree_roots:
        return EMPTY_ROOT
    acc = subtree_roots[-1]
    for left in reversed(subtree_roots[:-1]):
        acc = _sha256(NODE_PREFIX + left + acc).digest()
    return acc


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        size = len(value) if isinstance(value, bytes) else type(value).__name__
        raise ProofError(f"the {what} is {size} bytes, not {HASH_SIZE}; give a SHA-256 hash")


def _check_proof(proof: Sequence[bytes]) -> None:
    for position, item in enumerate(proof):
        _check_hash(item, f"proof hash number {position}")


def root_from_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes]
) -> bytes:
    """The root that ``proof`` leads to from ``leaf`` (a leaf hash) at ``leaf_index``.

    RFC 9162 §2.1.3.2, steps 1–4; raises if the proof cannot be walked.
    """
    if not 0 <= leaf_index < tree_size:
        raise LedgerRangeError(
            f"the leaf index `{leaf_index}` is outside a tree of size `{tree_size}`; "
            f"ask for an index from 0 to {tree_size - 1}"
        )
    _check_hash(leaf, "leaf hash")
    _check_proof(proof)
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError(
                f"the inclusion proof has {len(proof)} hashes, more than a tree of size "
                f"`{tree_size}` needs at index `{leaf_index}`"
            )
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(
            f"the inclusion proof has {len(proof)} hashes, fewer than a tree of size "
            f"`{tree_size}` needs at index `{leaf_index}`"
        )
    return r


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` (a leaf hash) is leaf ``leaf_index`` of the tree with ``root``."""
    _check_hash(root, "root hash")
    if root_from_inclusion(leaf_index, tree_size, leaf, proof) != root:
        raise ProofError(
            f"the inclusion proof for index `{leaf_index}` does not lead to the root of the "
            f"tree of size `{tree_size}`: the entry or the proof has been altered"
        )


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``size2`` with ``root2`` extends the one of ``size1``, ``root1``.

    RFC 9162 §2.1.4.2, with the public test vectors' conventions for size 0 and equal sizes.
    """
    if size1 < 0 or size2 < size1:
        raise LedgerRangeError(
            f"a consistency proof goes from a smaller tree to a larger one; "
            f"`{size1}` to `{size2}` does not"
        )
    if size1 == 0:
        raise LedgerRangeError(
            "a consistency proof from the empty tree proves nothing; start from size 1 or more"
        )
    if size1 == size2:
        if proof:
            raise ProofError(
                f"the consistency proof between equal sizes `{size1}` must be empty, "
                f"not {len(proof)} hashes"
            )
        if root1 != root2:
            raise ProofError(
                f"two roots of the same tree size `{size1}` differ: one of them is forged"
            )
        return
    _check_hash(root1, "first root hash")
    _check_hash(root2, "second root hash")
    _check_proof(proof)
    if not proof:
        raise ProofError(
            f"the consistency proof from `{size1}` to `{size2}` is empty; it needs hashes"
        )
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(
                f"the consistency proof from `{size1}` to `{size2}` has more hashes than needed"
            )
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(
            f"the consistency proof from `{size1}` to `{size2}` has fewer hashes than needed"
        )
    if fr != root1:
        raise ProofError(
            f"the consistency proof does not lead to the root of size `{size1}`: "
            "the earlier tree was not a prefix of the later one, or a root is forged"
        )
    if sr != root2:
        raise ProofError(
            f"the consistency proof does not lead to the root of size `{size2}`: "
            "the later tree rewrote earlier entries, or a root is forged"
        )
