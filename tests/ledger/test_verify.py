"""Whole-ledger verification: any tampering is found, and the first problem is named exactly."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoshare.ledger.chain import GENESIS, LedgerHead, SealedEntry, chain_hash
from infoshare.ledger.checkpoint import open_checkpoint
from infoshare.ledger.events import encode_entry
from infoshare.ledger.merkle import leaf_hash
from infoshare.ledger.verify import ProblemKind, verify_ledger
from tests.ledger.builders import KEY, OTHER_KEY, build_ledger, make_entry, sign

SIZE = 200
ENTRIES, NOTES = build_ledger(SIZE, checkpoint_every=10)
positions = st.integers(0, SIZE - 1)


def rechain(entries: list[SealedEntry]) -> list[SealedEntry]:
    """What an attacker with database access does: recompute every hash after an edit."""
    previous, out = GENESIS, []
    for entry in entries:
        previous = chain_hash(previous, entry.body)
        out.append(dataclasses.replace(entry, entry_hash=previous, leaf=leaf_hash(entry.body)))
    return out


def test_an_untouched_ledger_verifies_from_a_stream() -> None:
    result = verify_ledger(iter(ENTRIES), iter(NOTES), KEY.verifier, decode_entries=True)
    assert result.ok, result.problem
    assert (result.entries, result.checkpoints) == (SIZE, SIZE // 10)
    assert result.root == open_checkpoint(NOTES[-1], KEY.verifier).root
    assert result.entry_hash == ENTRIES[-1].entry_hash


def test_an_empty_ledger_verifies() -> None:
    result = verify_ledger([], [], KEY.verifier)
    assert result.ok
    assert result.entry_hash == GENESIS


@given(positions, st.integers(0, 8 * 300 - 1), st.booleans())
def test_a_flipped_bit_in_an_entry_or_its_hash_is_found_at_that_entry(
    position: int, bit: int, in_body: bool
) -> None:
    entries = list(ENTRIES)
    target = entries[position]
    field = "body" if in_body else "entry_hash"
    raw = bytearray(getattr(target, field))
    raw[(bit // 8) % len(raw)] ^= 1 << (bit % 8)
    entries[position] = dataclasses.replace(target, **{field: bytes(raw)})
    problem = verify_ledger(entries, NOTES, KEY.verifier).problem
    assert problem is not None
    assert (problem.kind, problem.sequence) == (ProblemKind.CHAIN_BROKEN, position)


@given(positions)
def test_a_deleted_entry_is_found(position: int) -> None:
    entries = ENTRIES[:position] + ENTRIES[position + 1 :]
    problem = verify_ledger(entries, NOTES, KEY.verifier).problem
    assert problem is not None
    assert problem.sequence == position
    assert problem.kind == (
        ProblemKind.TRUNCATED if position == SIZE - 1 else ProblemKind.SEQUENCE_BROKEN
    )


@given(positions, positions)
def test_an_inserted_entry_is_found(position: int, source: int) -> None:
    # (Adding after the last entry is appending; only inserting before an entry is tampering.)
    # An entry taken from elsewhere, renumbered to fit, with its hash chained in properly.
    forged = ENTRIES[source]
    previous = ENTRIES[position - 1].entry_hash if position else GENESIS
    forged = dataclasses.replace(
        forged, sequence=position, entry_hash=chain_hash(previous, forged.body)
    )
    entries = [*ENTRIES[:position], forged, *ENTRIES[position:]]
    problem = verify_ledger(entries, NOTES, KEY.verifier).problem
    assert problem is not None
    assert problem.sequence is not None
    assert position <= problem.sequence <= position + 1


@given(positions, positions)
def test_reordered_entries_are_found_at_the_first_moved_one(first: int, second: int) -> None:
    if first == second:
        return
    entries = list(ENTRIES)
    entries[first], entries[second] = entries[second], entries[first]
    problem = verify_ledger(entries, NOTES, KEY.verifier).problem
    assert problem is not None
    assert (problem.kind, problem.sequence) == (ProblemKind.SEQUENCE_BROKEN, min(first, second))


@given(st.integers(0, SIZE - 1))
def test_a_truncated_ledger_is_found_by_the_last_checkpoint(keep: int) -> None:
    problem = verify_ledger(ENTRIES[:keep], NOTES, KEY.verifier).problem
    assert problem is not None
    assert (problem.kind, problem.sequence) == (ProblemKind.TRUNCATED, keep)


@given(positions)
def test_a_rewritten_and_rechained_entry_is_found_by_the_next_checkpoint(position: int) -> None:
    entries = list(ENTRIES)
    forged = dataclasses.replace(make_entry(position), actor_staff="staff-9999")
    entries[position] = dataclasses.replace(entries[position], body=encode_entry(forged))
    problem = verify_ledger(rechain(entries), NOTES, KEY.verifier).problem
    assert problem is not None
    due = (position // 10 + 1) * 10
    assert (problem.kind, problem.sequence) == (ProblemKind.CHECKPOINT_MISMATCH, due)
    assert f"numbered {due - 10} to {due - 1}" in problem.detail


@given(st.integers(0, SIZE // 10 - 1), st.sampled_from(["re-signed", "edited", "dropped-sig"]))
def test_a_rewritten_checkpoint_is_found(which: int, how: str) -> None:
    notes = list(NOTES)
    head = LedgerHead()
    for entry in range(which * 10 + 10):
        head.seal(dataclasses.replace(make_entry(entry), actor_staff="staff-9999"))
    if how == "re-signed":  # a forger's root, signed with a key that is not the ledger's
        notes[which] = sign(head.size, head.root(), OTHER_KEY)
    elif how == "edited":  # the forger's root pasted into the genuine note
        genuine = open_checkpoint(notes[which], KEY.verifier)
        notes[which] = notes[which].replace(sign(1, genuine.root).split("\n")[2], "A" * 43 + "=")
    else:
        notes[which] = notes[which].split("\n\n")[0] + "\n\n"
    problem = verify_ledger(ENTRIES, notes, KEY.verifier).problem
    assert problem is not None
    assert problem.kind == ProblemKind.CHECKPOINT_INVALID
    assert f"checkpoint number {which}" in problem.detail


def test_checkpoints_may_come_in_any_order() -> None:
    assert verify_ledger(ENTRIES, reversed(NOTES), KEY.verifier).ok


def test_a_checkpoint_of_the_empty_tree_is_checked_too() -> None:
    head = LedgerHead()
    assert verify_ledger(ENTRIES, [sign(0, head.root()), *NOTES], KEY.verifier).ok
    problem = verify_ledger(ENTRIES, [sign(0, ENTRIES[0].leaf)], KEY.verifier).problem
    assert problem is not None
    assert (problem.kind, problem.sequence) == (ProblemKind.CHECKPOINT_MISMATCH, 0)


def test_deep_verification_finds_a_body_that_misstates_its_number() -> None:
    # A buggy writer sealed entry 3's body under number 4: the chain holds, the body lies.
    entries = list(ENTRIES[:5])
    entries[4] = dataclasses.replace(entries[4], body=encode_entry(make_entry(3)))
    entries = rechain(entries)
    assert verify_ledger(entries, [], KEY.verifier).ok
    problem = verify_ledger(entries, [], KEY.verifier, decode_entries=True).problem
    assert problem is not None
    assert (problem.kind, problem.sequence) == (ProblemKind.ENTRY_MALFORMED, 4)
    assert "says it is number `3`" in problem.detail


def test_deep_verification_finds_a_body_that_is_not_an_entry() -> None:
    entries = rechain([*ENTRIES[:2], dataclasses.replace(ENTRIES[2], body=b'{"sequence":2}')])
    problem = verify_ledger(entries, [], KEY.verifier, decode_entries=True).problem
    assert problem is not None
    assert (problem.kind, problem.sequence) == (ProblemKind.ENTRY_MALFORMED, 2)


def test_the_problem_reads_as_one_precise_line() -> None:
    entries = list(ENTRIES)
    entries[7] = dataclasses.replace(entries[7], body=entries[7].body + b" ")
    problem = verify_ledger(entries, NOTES, KEY.verifier).problem
    assert str(problem) == (
        "entry 7: chain-broken: the entry hash does not follow from the previous hash and this "
        "entry's bytes; this entry (or its stored hash) was changed (Principle 6)"
    )


@pytest.mark.parametrize("size", [1, 2, 3, 10, 17])
def test_ledgers_of_small_sizes_verify(size: int) -> None:
    entries, notes = build_ledger(size, checkpoint_every=1)
    assert verify_ledger(entries, notes, KEY.verifier).ok
