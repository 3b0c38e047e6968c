"""Properties of how ``ledger verify`` judges one entry against its record (Principle 6).

``judge`` is the rule every registered record type goes through: an entry passes exactly
when its record still shows an event of the entry's kind with the entry's digest and, where
the record names a recipient, the entry's counterparty column names it too. Anything else is
a problem at that entry, naming the record type and id.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from infoshare.ledger.verify import ProblemKind
from infoshare.services.ledger_records import Expected, judge

KINDS = st.sampled_from(["disclosure:made", "referral:approved", "decision:asked", None])
DIGESTS = st.sampled_from(["a" * 64, "b" * 64, "c" * 64])
PARTIES = st.sampled_from(["LCC", "WYP", None])
EXPECTED = st.builds(Expected, KINDS, DIGESTS, PARTIES, st.booleans())


@given(
    kind=st.sampled_from(["disclosure:made", "referral:approved", "decision:asked"]),
    digest=DIGESTS,
    counterparty=PARTIES,
    expected=st.none() | st.lists(EXPECTED, max_size=4),
    sequence=st.integers(min_value=0, max_value=10**9),
)
def test_an_entry_passes_exactly_when_its_record_still_shows_it(
    kind: str,
    digest: str,
    counterparty: str | None,
    expected: list[Expected] | None,
    sequence: int,
) -> None:
    problem = judge(sequence, "disclosure", "d-1", kind, digest, counterparty, expected)
    if expected is None:
        assert problem is not None
        assert problem.kind is ProblemKind.RECORD_MISSING
    else:
        same = [e for e in expected if e.kind in (None, kind)]
        match = next((e for e in same if e.digest == digest), None)
        passes = match is not None and (
            not match.counterparty_checked or match.counterparty == counterparty
        )
        assert (problem is None) is passes
        if problem is not None:
            assert problem.kind in (ProblemKind.RECORD_CHANGED, ProblemKind.STORE_MISMATCH)
            assert (problem.kind is ProblemKind.STORE_MISMATCH) is (match is not None)
    if problem is not None:
        assert problem.sequence == sequence
        assert "disclosure `d-1`" in str(problem)
