"""Proof files: what an outsider receives, parsed strictly and checked against a checkpoint."""

from __future__ import annotations

import json

import pytest

from infoshare.errors import LedgerError, ProofError
from infoshare.ledger.checkpoint import open_checkpoint
from infoshare.ledger.proofs import ConsistencyProof, InclusionProof
from infoshare.ledger.tree import MemoryHashStore, consistency_proof, inclusion_proof
from tests.ledger.builders import KEY, build_ledger

ENTRIES, NOTES = build_ledger(50, checkpoint_every=10)
STORE = MemoryHashStore()
STORE.extend(entry.leaf for entry in ENTRIES)
CHECKPOINTS = [open_checkpoint(note, KEY.verifier) for note in NOTES]


def inclusion(sequence: int, size: int) -> InclusionProof:
    hashes = tuple(inclusion_proof(STORE, sequence, size))
    return InclusionProof(sequence, size, ENTRIES[sequence].body, hashes)


def test_an_inclusion_proof_survives_its_json_and_verifies() -> None:
    proof = inclusion(17, 30)
    again = InclusionProof.from_json(proof.to_json())
    assert again == proof
    again.verify(CHECKPOINTS[2])


def test_a_consistency_proof_survives_its_json_and_verifies() -> None:
    proof = ConsistencyProof(20, 50, tuple(consistency_proof(STORE, 20, 50)))
    again = ConsistencyProof.from_json(proof.to_json())
    assert again == proof
    again.verify(CHECKPOINTS[1], CHECKPOINTS[4])


def test_a_proof_checked_against_the_wrong_checkpoint_is_refused() -> None:
    with pytest.raises(ProofError, match="tree of size `30` but the checkpoint signs size `40`"):
        inclusion(17, 30).verify(CHECKPOINTS[3])
    with pytest.raises(ProofError, match="ask for a proof between them"):
        ConsistencyProof(20, 50, ()).verify(CHECKPOINTS[0], CHECKPOINTS[4])


def test_an_altered_entry_in_an_inclusion_proof_is_refused() -> None:
    proof = inclusion(17, 30)
    forged = InclusionProof(17, 30, proof.entry.replace(b"staff", b"staff-x"), proof.hashes)
    with pytest.raises(ProofError, match="does not lead to the root"):
        forged.verify(CHECKPOINTS[2])


GOOD = json.loads(inclusion(3, 10).to_json())


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not json", "not JSON"),
        ("[]", 'with `"type": "inclusion"`'),
        (json.dumps(GOOD | {"type": "consistency"}), 'with `"type": "inclusion"`'),
        (json.dumps(GOOD | {"extra": 1}), "unknown: extra"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "entry"}), "missing: entry"),
        (json.dumps(GOOD | {"sequence": -1}), "sequence number `-1`"),
        (json.dumps(GOOD | {"tree_size": "10"}), "tree size `10`"),
        (json.dumps(GOOD | {"sequence": True}), "sequence number `True`"),
        (json.dumps(GOOD | {"entry": "%%%"}), "not valid, canonical base64"),
        (json.dumps(GOOD | {"proof": "abc"}), "not a list"),
        (json.dumps(GOOD | {"proof": [1]}), "not a base64 string"),
    ],
)
def test_malformed_proof_files_are_refused_precisely(text: str, says: str) -> None:
    with pytest.raises(ProofError, match=says):
        InclusionProof.from_json(text)


def test_a_proof_with_a_short_hash_or_out_of_range_index_is_refused() -> None:
    short = json.dumps(GOOD | {"proof": [*GOOD["proof"][:-1], "AAAA"]})
    with pytest.raises(ProofError, match="is 3 bytes, not 32"):
        InclusionProof.from_json(short).verify(CHECKPOINTS[0])
    beyond = InclusionProof.from_json(json.dumps(GOOD | {"sequence": 10}))
    with pytest.raises(LedgerError, match="outside a tree of size `10`"):
        beyond.verify(CHECKPOINTS[0])
