"""Inclusion and consistency proofs as values, and their JSON form for outsiders.

Principle 12 lets a person see what was disclosed about them; an inclusion proof lets them
(or an auditor under Section 4.3) check that a disclosure's entry is in the ledger a signed
checkpoint covers. A consistency proof shows a later checkpoint extends an earlier one.

JSON (hashes and entry bytes in standard base64 with padding)::

    {"type": "inclusion", "sequence": 5, "tree_size": 10,
     "entry": "<the entry's canonical JSON>", "proof": ["…", …]}
    {"type": "consistency", "size1": 10, "size2": 20, "proof": ["…", …]}

Parsing refuses unknown or missing keys, wrong types and bad base64 with ``ProofError``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infoshare.errors import ProofError
from infoshare.ledger.checkpoint import Checkpoint
from infoshare.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise ProofError(f"the {what} is not a base64 string")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raw = None
    if raw is None or base64.b64encode(raw).decode("ascii") != text:
        raise ProofError(f"the {what} `{text[:60]}` is not valid, canonical base64")
    return raw


def _object(text: str | bytes, kind: str, keys: set[str]) -> Mapping[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ProofError("the proof is not JSON; give the proof file as it was issued") from None
    if not isinstance(value, dict) or value.get("type") != kind:
        raise ProofError(f'the proof is not a JSON object with `"type": "{kind}"`')
    if set(value) != keys:
        missing = ", ".join(sorted(keys - set(value))) or "none"
        extra = ", ".join(sorted(set(value) - keys)) or "none"
        raise ProofError(
            f"the {kind} proof's keys are wrong (missing: {missing}; unknown: {extra})"
        )
    return value


def _count(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProofError(f"the {what} `{value}` is not a whole number from 0")
    return value


def _hashes(value: object) -> tuple[bytes, ...]:
    if not isinstance(value, list):
        raise ProofError("the proof's `proof` is not a list of base64 hashes")
    return tuple(_unb64(item, f"proof hash number {n}") for n, item in enumerate(value))


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """Entry ``sequence`` (its canonical bytes) is in the tree of ``tree_size``, via ``hashes``."""

    sequence: int
    tree_size: int
    entry: bytes
    hashes: tuple[bytes, ...]

    def verify(self, checkpoint: Checkpoint) -> None:
        """Check against a checkpoint (already opened with the key); raise if it fails."""
        if checkpoint.size != self.tree_size:
            raise ProofError(
                f"the proof is for a tree of size `{self.tree_size}` but the checkpoint signs "
                f"size `{checkpoint.size}`; ask for a proof at the checkpoint's size"
            )
        verify_inclusion(
            self.sequence, self.tree_size, leaf_hash(self.entry), self.hashes, checkpoint.root
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "type": "inclusion",
                "sequence": self.sequence,
                "tree_size": self.tree_size,
                "entry": _b64(self.entry),
                "proof": [_b64(item) for item in self.hashes],
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> InclusionProof:
        value = _object(text, "inclusion", {"type", "sequence", "tree_size", "entry", "proof"})
        return cls(
            sequence=_count(value["sequence"], "sequence number"),
            tree_size=_count(value["tree_size"], "tree size"),
            entry=_unb64(value["entry"], "entry"),
            hashes=_hashes(value["proof"]),
        )


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """The tree of ``size2`` extends the tree of ``size1``, via ``hashes``."""

    size1: int
    size2: int
    hashes: tuple[bytes, ...]

    def verify(self, older: Checkpoint, newer: Checkpoint) -> None:
        """Check that ``newer`` extends ``older`` (both already opened); raise if not."""
        if (older.size, newer.size) != (self.size1, self.size2):
            raise ProofError(
                f"the proof goes from size `{self.size1}` to `{self.size2}` but the checkpoints "
                f"sign `{older.size}` and `{newer.size}`; ask for a proof between them"
            )
        if older.origin != newer.origin:
            raise ProofError(
                f"the checkpoints are of two ledgers, `{older.origin}` and `{newer.origin}`"
            )
        verify_consistency(self.size1, self.size2, older.root, newer.root, self.hashes)

    def to_json(self) -> str:
        return json.dumps(
            {
                "type": "consistency",
                "size1": self.size1,
                "size2": self.size2,
                "proof": [_b64(item) for item in self.hashes],
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> ConsistencyProof:
        value = _object(text, "consistency", {"type", "size1", "size2", "proof"})
        return cls(
            size1=_count(value["size1"], "first tree size"),
            size2=_count(value["size2"], "second tree size"),
            hashes=_hashes(value["proof"]),
        )
