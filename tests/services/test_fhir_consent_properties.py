"""Property: any consent record, with or without its withdrawal, survives ours → FHIR → ours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare.domain.consent import AuthorityKind, CollectionMethod, ConsentDecision, DecidedBy
from infoshare.services.consent import ConsentDraft, ExclusionDraft, WithdrawalDraft
from infoshare.services.fhir_consent import from_fhir, to_fhir

PURPOSES = ["care", "protection", "crime", "support", "planning", "research"]
CATEGORIES = ["identity", "physical-health", "mental-health", "housing", "offences", "education"]
ORGANISATIONS = ["LTHT", "LMHST", "LCC", "WYP", "EDL", "WLPCT"]
AGREEMENTS = ["ISA-2002-001", "ISA-2002-007"]
T0 = datetime(2002, 10, 1, tzinfo=UTC)

moments = st.integers(min_value=0, max_value=20 * 365 * 24 * 60).map(
    lambda minutes: T0 + timedelta(minutes=minutes)
)
text = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABC-'", min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)


def _subset(values: list[str], min_size: int = 0) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), min_size=min_size, max_size=3, unique=True)


exclusions = st.builds(
    ExclusionDraft,
    recipients=_subset(ORGANISATIONS),
    data_categories=_subset(CATEGORIES),
    purposes=_subset(PURPOSES),
    note=st.one_of(st.just(""), text),
).filter(lambda e: bool(e.recipients or e.data_categories or e.purposes))


@st.composite
def drafts(draw: st.DrawFn) -> ConsentDraft:
    agreements = draw(_subset(AGREEMENTS))
    representative = draw(st.booleans())
    start = draw(st.one_of(st.none(), moments))
    end = draw(st.one_of(st.none(), moments))
    return ConsentDraft(
        nhs_number="9434765919",
        decision=draw(st.sampled_from(list(ConsentDecision))),
        decided_by=DecidedBy.REPRESENTATIVE if representative else draw(
            st.sampled_from([DecidedBy.SERVICE_USER, DecidedBy.BEST_INTERESTS])
        ),
        representative_name=draw(text) if representative else None,
        representative_relationship=draw(text) if representative else None,
        representative_authority=draw(st.sampled_from(list(AuthorityKind)))
        if representative else None,
        representative_authority_reference=draw(st.one_of(st.none(), text))
        if representative else None,
        best_interests_reasons=draw(st.one_of(st.none(), text)),
        obtained_by=draw(text),
        obtained_by_organisation=draw(st.sampled_from(ORGANISATIONS)),
        obtained_at=draw(moments),
        method=draw(st.sampled_from(list(CollectionMethod))),
        form_version=draw(st.one_of(st.none(), text)),
        explained_purposes=draw(_subset(PURPOSES)),
        explained_data_categories=draw(_subset(CATEGORIES)),
        explained_recipients=draw(_subset(ORGANISATIONS)) + agreements,
        leaflet_given=draw(st.booleans()),
        leaflet_version=draw(st.one_of(st.none(), text)),
        purposes=draw(_subset(PURPOSES, 1)),
        data_categories=draw(_subset(CATEGORIES, 1)),
        recipients=draw(_subset(ORGANISATIONS)),
        recipient_agreements=agreements,
        exclusions=draw(st.lists(exclusions, max_size=2)),
        valid_from=start,
        valid_until=end,
        review_date=draw(st.one_of(st.none(), moments.map(lambda m: m.date()))),
        supersedes=draw(st.one_of(st.none(), st.uuids())),
    )  # fmt: skip


withdrawals = st.builds(
    WithdrawalDraft,
    at=moments,
    method=st.sampled_from(list(CollectionMethod)),
    recorded_by=text,
    recorded_by_organisation=st.sampled_from(ORGANISATIONS),
    withdrawn_by=st.sampled_from([DecidedBy.SERVICE_USER, DecidedBy.REPRESENTATIVE]),
    representative_name=st.one_of(st.none(), text),
    reason=st.one_of(st.none(), text),
)


def _canonical(draft: ConsentDraft) -> ConsentDraft:
    """FHIR repeats carry no order that means anything: compare lists as sorted."""
    data = draft.model_dump()
    for key, value in data.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            data[key] = sorted(value)
    data["exclusions"] = [
        {k: sorted(v) if isinstance(v, list) else v for k, v in e.items()}
        for e in data["exclusions"]
    ]
    return ConsentDraft.model_validate(data)


@settings(max_examples=200, deadline=None)
@given(drafts(), st.one_of(st.none(), withdrawals))
def test_any_record_round_trips_through_fhir(
    draft: ConsentDraft, withdrawal: WithdrawalDraft | None
) -> None:
    back, back_withdrawal = from_fhir(to_fhir(draft, withdrawal=withdrawal))
    assert _canonical(back) == _canonical(draft)
    assert back_withdrawal == withdrawal
