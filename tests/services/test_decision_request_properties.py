"""Properties of a stored decision request (issues 4 and 6): replaying the row asks exactly
what was asked, and its digest changes with any column, so ``ledger verify`` sees any edit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare.policy.decision import (
    Basis,
    BasisKind,
    ClaimedBasis,
    ClaimKind,
    Decision,
    DisclosureRequest,
    Outcome,
    PriorDisclosure,
)
from infoshare.services.decision_requests import (
    RequestSource,
    new_record,
    replay_request,
    request_digest,
)

codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789", min_size=1, max_size=64)
words = st.text(min_size=0, max_size=40)
moments = st.datetimes(
    min_value=datetime(2002, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[DisclosureRequest, uuid.UUID]:
    person = uuid.UUID(int=draw(st.integers(min_value=0, max_value=2**128 - 1)))
    prior = draw(
        st.none()
        | st.builds(
            PriorDisclosure,
            disclosure_id=st.uuids().map(str),
            recipient=codes,
            purpose=codes,
            data_categories=st.lists(codes, max_size=3).map(tuple),
        )
    )
    kind = draw(st.sampled_from(ClaimKind))
    request = DisclosureRequest(
        requester=draw(codes),
        provider=draw(codes),
        recipient=draw(codes),
        subject_id=str(person),
        purpose=draw(codes),
        data_categories=tuple(draw(st.lists(codes, min_size=1, max_size=6, unique=True))),
        transfer_method=draw(codes),
        at=draw(moments),
        basis=ClaimedBasis(
            kind=kind,
            legal_grounds=tuple(draw(st.lists(codes, max_size=3))),
            justification=draw(words),
            emergency_reason=draw(words),
        ),
        isa_reference=draw(st.none() | codes),
        recipient_role=draw(st.none() | codes),
        derived_from=prior,
    )
    return request, person


def _decision(outcome: Outcome) -> Decision:
    return Decision(outcome, (), (), (), Basis(kind=BasisKind.NONE), ())


@settings(max_examples=200, deadline=None)
@given(requests(), st.sampled_from(Outcome), st.sampled_from(RequestSource))
def test_replaying_a_stored_request_asks_exactly_what_was_asked(
    asked: tuple[DisclosureRequest, uuid.UUID], outcome: Outcome, source: RequestSource
) -> None:
    request, person = asked
    record = new_record(request, _decision(outcome), source=source, service_user_id=person)
    assert replay_request(record, request.derived_from) == request
    assert (record.outcome, record.source) == (outcome.value, source.value)


@settings(max_examples=200, deadline=None)
@given(requests(), st.data())
def test_any_change_to_a_stored_request_changes_its_digest(
    asked: tuple[DisclosureRequest, uuid.UUID], data: st.DataObject
) -> None:
    request, person = asked
    record = new_record(
        request, _decision(Outcome.DENY), source=RequestSource.REFUSED, service_user_id=person
    )
    digest = request_digest(record)
    column = data.draw(
        st.sampled_from(
            ["asked_at", "source", "requester", "provider", "recipient", "recipient_role",
             "service_user_id", "purpose", "categories", "transfer_method", "basis_kind",
             "legal_grounds", "justification", "emergency_reason", "agreement",
             "decided_agreement", "derived_from_id", "outcome"]
        )
    )  # fmt: skip
    before = getattr(record, column)
    changed: object
    if column == "asked_at":
        changed = before + timedelta(microseconds=1)
    elif column in ("service_user_id", "derived_from_id"):
        changed = uuid.uuid4() if before is None else None
    elif column in ("categories", "legal_grounds"):
        changed = [*before, "X"]
    elif column in ("recipient_role", "agreement", "decided_agreement"):
        changed = "X" if before is None else None
    else:
        changed = f"{before}X"
    setattr(record, column, changed)
    assert request_digest(record) != digest
