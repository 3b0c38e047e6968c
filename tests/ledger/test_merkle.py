"""The Merkle tree: RFC 9162 hashing, proofs checked against public vectors and a reference."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from infoshare.errors import LedgerError, LedgerRangeError, ProofError
from infoshare.ledger.merkle import (
    EMPTY_ROOT,
    CompactRange,
    leaf_hash,
    root_from_inclusion,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from infoshare.ledger.tree import MemoryHashStore, consistency_proof, inclusion_proof, tree_root
from tests.ledger.reference_tree import ReferenceTree

# The vectors are the project's shared brief, beside the checkout (`../shared`), in CI as here.
VECTORS = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "merkle-rfc9162"
VECTOR_LEAVES = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243",
    "5051525354555657", "606162636465666768696a6b6c6d6e6f"]]  # fmt: skip

LEAVES = [f"leaf {i}".encode() for i in range(1024)]
REFERENCE = ReferenceTree(LEAVES)
STORE = MemoryHashStore()
STORE.extend(leaf_hash(leaf) for leaf in LEAVES)


def _b(text: str) -> bytes:
    return base64.b64decode(text)


def _cases(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).rglob("*.json"))


def _id(path: Path) -> str:
    return str(path.relative_to(VECTORS))


def test_the_vector_tree_has_the_root_the_vectors_publish() -> None:
    hashes = [leaf_hash(leaf) for leaf in VECTOR_LEAVES]
    assert base64.b64encode(root_of(hashes)) == b"XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="
    assert root_of([]) == EMPTY_ROOT


@pytest.mark.parametrize("path", _cases("inclusion"), ids=_id)
def test_inclusion_vectors(path: Path) -> None:
    case = json.loads(path.read_text())
    args = (case["leafIdx"], case["treeSize"], _b(case["leafHash"]),
            [_b(p) for p in case["proof"] or []], _b(case["root"]))  # fmt: skip
    if case["wantErr"]:
        with pytest.raises(LedgerError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("path", _cases("consistency"), ids=_id)
def test_consistency_vectors(path: Path) -> None:
    case = json.loads(path.read_text())
    args = (case["size1"], case["size2"], _b(case["root1"]), _b(case["root2"]),
            [_b(p) for p in case["proof"] or []])  # fmt: skip
    if case["wantErr"]:
        with pytest.raises(LedgerError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def test_vectors_are_all_there() -> None:
    # A vector folder gone missing must not silently pass as "zero cases".
    assert len(_cases("inclusion")) + len(_cases("consistency")) == 196


def test_roots_agree_with_the_reference_for_every_size_up_to_1024() -> None:
    compact = CompactRange()
    for size in range(1025):
        want = REFERENCE.root(size)
        assert compact.root() == want, size
        assert tree_root(STORE, size) == want, size
        if size < 1024:
            compact.append(leaf_hash(LEAVES[size]))


def test_inclusion_proofs_agree_with_the_reference_for_every_index_up_to_128() -> None:
    for size in range(1, 129):
        root = REFERENCE.root(size)
        for index in range(size):
            proof = inclusion_proof(STORE, index, size)
            assert proof == REFERENCE.inclusion(index, size), (index, size)
            verify_inclusion(index, size, leaf_hash(LEAVES[index]), proof, root)


def test_consistency_proofs_agree_with_the_reference_for_every_pair_up_to_128() -> None:
    for size2 in range(1, 129):
        for size1 in range(1, size2 + 1):
            proof = consistency_proof(STORE, size1, size2)
            assert proof == REFERENCE.consistency(size1, size2), (size1, size2)
            verify_consistency(size1, size2, REFERENCE.root(size1), REFERENCE.root(size2), proof)


def test_proofs_agree_with_the_reference_for_sampled_pairs_up_to_1024() -> None:
    rng = random.Random(6)
    pairs = [(rng.randrange(1, 1025), rng.randrange(1, 1025)) for _ in range(1500)]
    pairs += [(1, 1024), (1023, 1024), (512, 1024), (513, 1024), (1024, 1024)]
    for a, b in pairs:
        size1, size2 = min(a, b), max(a, b)
        index = size2 - 1 - (a * b) % size2
        proof = inclusion_proof(STORE, index, size2)
        assert proof == REFERENCE.inclusion(index, size2)
        verify_inclusion(index, size2, leaf_hash(LEAVES[index]), proof, REFERENCE.root(size2))
        proof = consistency_proof(STORE, size1, size2)
        assert proof == REFERENCE.consistency(size1, size2)
        verify_consistency(size1, size2, REFERENCE.root(size1), REFERENCE.root(size2), proof)


@pytest.mark.parametrize("min_level", [1, 3, 5])
def test_a_store_keeping_only_upper_levels_gives_the_same_proofs(min_level: int) -> None:
    hashes = [leaf_hash(leaf) for leaf in LEAVES[:300]]
    store = MemoryHashStore(min_level, leaves=lambda start, end: hashes[start:end])
    store.extend(hashes)
    assert store.stored_hashes < STORE.stored_hashes * 2 // (1 << min_level)
    for size in (1, 2, 7, 31, 32, 33, 299, 300):
        assert tree_root(store, size) == REFERENCE.root(size)
        for index in {0, size // 2, size - 1}:
            assert inclusion_proof(store, index, size) == REFERENCE.inclusion(index, size)
        for size1 in {1, size // 3 or 1, size}:
            assert consistency_proof(store, size1, size) == REFERENCE.consistency(size1, size)


@pytest.mark.parametrize(
    ("ask", "says"),
    [
        (lambda: inclusion_proof(STORE, 1024, 1024), "not in a tree of size `1024`"),
        (lambda: inclusion_proof(STORE, -1, 10), "not in a tree of size `10`"),
        (lambda: inclusion_proof(STORE, 0, 1025), "beyond the ledger's `1024` entries"),
        (lambda: inclusion_proof(STORE, 0, 0), "not in a tree of size `0`"),
        (lambda: consistency_proof(STORE, 0, 10), "`0` to `10` does not"),
        (lambda: consistency_proof(STORE, 11, 10), "`11` to `10` does not"),
        (lambda: consistency_proof(STORE, 10, 1025), "beyond the ledger's"),
        (lambda: tree_root(STORE, 1025), "beyond the ledger's"),
        (lambda: STORE.get(1, 512), "not complete"),
        (lambda: MemoryHashStore(2), "needs a leaf source"),
    ],
)
def test_out_of_range_requests_are_refused(ask: object, says: str) -> None:
    with pytest.raises(LedgerRangeError, match=says):
        ask()  # type: ignore[operator]


sizes_and_index = st.integers(2, 1024).flatmap(
    lambda size: st.tuples(st.just(size), st.integers(0, size - 1))
)


@given(sizes_and_index, st.data())
def test_any_altered_inclusion_proof_is_rejected(
    case: tuple[int, int], data: st.DataObject
) -> None:
    size, index = case
    proof = inclusion_proof(STORE, index, size)
    root, leaf = REFERENCE.root(size), leaf_hash(LEAVES[index])
    altered = data.draw(st.sampled_from(["flip", "drop", "extra", "index", "size", "leaf"]))
    if altered == "flip":
        where = data.draw(st.integers(0, len(proof) * 256 - 1))
        bad = bytearray(proof[where // 256])
        bad[(where % 256) // 8] ^= 1 << (where % 8)
        proof[where // 256] = bytes(bad)
    elif altered == "drop":
        proof.pop(data.draw(st.integers(0, len(proof) - 1)))
    elif altered == "extra":
        proof.insert(data.draw(st.integers(0, len(proof))), root)
    elif altered == "index":
        index = (index + data.draw(st.integers(1, size - 1))) % size
    elif altered == "size":
        # The checkpoint binds size and root together: claim another size with its own root.
        assume(index < 1023)
        other = data.draw(st.integers(index + 1, 1023))
        size = other if other < size else other + 1
        root = REFERENCE.root(size)
    else:
        leaf = leaf_hash(b"not the entry")
    with pytest.raises(LedgerError):
        verify_inclusion(index, size, leaf, proof, root)


@given(st.integers(1, 1023).flatmap(lambda a: st.tuples(st.just(a), st.integers(a + 1, 1024))),
       st.data())  # fmt: skip
def test_any_altered_consistency_proof_is_rejected(
    sizes: tuple[int, int], data: st.DataObject
) -> None:
    size1, size2 = sizes
    proof = consistency_proof(STORE, size1, size2)
    root1, root2 = REFERENCE.root(size1), REFERENCE.root(size2)
    altered = data.draw(st.sampled_from(["flip", "drop", "extra", "root1", "root2", "swap"]))
    if altered == "flip":
        where = data.draw(st.integers(0, len(proof) * 256 - 1))
        bad = bytearray(proof[where // 256])
        bad[(where % 256) // 8] ^= 1 << (where % 8)
        proof[where // 256] = bytes(bad)
    elif altered == "drop":
        proof.pop(data.draw(st.integers(0, len(proof) - 1)))
    elif altered == "extra":
        proof.append(root1)
    elif altered == "root1":
        root1 = REFERENCE.root(size1 - 1) if size1 > 1 else leaf_hash(b"forged")
    elif altered == "root2":
        root2 = leaf_hash(b"forged")
    else:
        root1, root2 = root2, root1
    with pytest.raises(LedgerError):
        verify_consistency(size1, size2, root1, root2, proof)


@pytest.mark.parametrize(
    "proof", [[b"\x00" * 31], [b"\x00" * 33], [b""]], ids=["short", "long", "empty"]
)
def test_malformed_proof_hashes_are_refused_precisely(proof: list[bytes]) -> None:
    with pytest.raises(ProofError, match="proof hash number 0 is"):
        root_from_inclusion(0, 2, leaf_hash(b"x"), proof)
