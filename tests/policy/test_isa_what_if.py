"""What-if: replaying decision requests through a candidate version of an agreement.

The requests are the decision cases of tests/cases/decisions that share the `leeds` policy;
the candidate is a new version of the hospital discharge agreement.
"""

from __future__ import annotations

import json
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare.cli.decide import resolve_agreement
from infoshare.domain.agreement import InformationSharingAgreement, NeedToKnow
from infoshare.policy.compile import PolicyOptions, StaffMember
from infoshare.policy.decision import Outcome
from infoshare.policy.decision_document import (
    build_facts,
    build_request,
    read_document,
)
from infoshare.policy.isa_what_if import ReplayCase, in_place_of, what_if
from infoshare.protocol.loader import load_pack_reference
from tests.policy.decision_cases import CASE_FILES, CASES, POLICIES, case_document

DISCHARGE = "LEEDS-ISA-2003-001"
#: keys a case may set without changing the policy the replay compiles
OWN_KEYS = {"description", "clause", "policy", "facts", "request", "expect"}


@cache
def _world() -> tuple[
    list[InformationSharingAgreement], list[StaffMember], dict[str, object], list[ReplayCase]
]:
    base = json.loads((POLICIES / "leeds.json").read_text(encoding="utf-8"))
    document = read_document({**base, "request": _any_request(), "facts": {"subject_id": "x"}})
    agreements = [resolve_agreement(a, CASES, i) for i, a in enumerate(document.agreements)]
    staff = [
        StaffMember(s.id, s.organisation, frozenset(s.roles), s.active, s.trained_on)
        for s in document.staff
    ]
    cases = []
    for path in CASE_FILES:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("policy") != "leeds" or set(raw) - OWN_KEYS:
            continue
        case = read_document(case_document(path))
        cases.append(ReplayCase(build_request(case.request), build_facts(case.facts)))
    return agreements, staff, dict(document.adopted_on), cases


def _any_request() -> dict[str, object]:
    first = json.loads(CASE_FILES[0].read_text(encoding="utf-8"))
    return dict(first["request"])


def _report(candidate: InformationSharingAgreement):  # type: ignore[no-untyped-def]
    agreements, staff, adopted_on, cases = _world()
    return what_if(
        cases, load_pack_reference("leeds-2002"), agreements, candidate, staff,
        adopted_on=adopted_on, options=PolicyOptions(),  # type: ignore[arg-type]
    )  # fmt: skip


def _discharge() -> InformationSharingAgreement:
    agreements, *_ = _world()
    return next(a for a in agreements if a.reference == DISCHARGE)


def _without(isa: InformationSharingAgreement, organisation: str, category: str):  # type: ignore[no-untyped-def]
    rows = [
        row.model_copy(update={"categories": [c for c in row.categories if c != category]})
        if row.organisation == organisation and category in row.categories
        else row
        for row in isa.need_to_know
    ]
    rows = [r for r in rows if r.categories]
    return isa.model_copy(update={"version": isa.version + 1, "need_to_know": rows})


def test_the_same_version_again_changes_nothing() -> None:
    report = _report(_discharge())
    assert report.replayed > 10
    assert report.changes == ()
    assert report.unchanged == report.replayed


def test_taking_a_category_from_the_matrix_withholds_it_in_the_requests_that_had_it() -> None:
    candidate = _without(_discharge(), "LCC", "physical-health")

    report = _report(candidate)

    assert report.version == 2
    assert report.changes
    for change in report.changes:
        assert change.request.recipient == "LCC"
        assert not change.wider
        [category] = change.categories
        assert category.category == "physical-health"
        assert category.after == "withheld"
        assert category.before in {"permitted", "referred", "anonymised"}
        withheld = {w.category: w for w in change.after.withheld}
        assert "physical-health" in withheld


def test_a_version_that_keeps_one_cell_of_the_matrix_refuses_the_rest() -> None:
    discharge = _discharge()
    candidate = discharge.model_copy(
        update={
            "version": 2,
            "need_to_know": [
                NeedToKnow(organisation="LTHT", role="practitioner", categories=["identity"])
            ],
        }
    )
    report = _report(candidate)
    counts = report.outcome_counts()
    assert counts[(Outcome.PERMIT, Outcome.DENY)] >= 1
    assert not any(change.wider for change in report.changes)
    # What LTHT's practitioners may still receive goes on being permitted.
    kept = [c for c in report.changes if c.request.recipient == "LTHT"]
    assert all("identity" in c.after.permitted for c in kept)


def test_the_candidate_replaces_every_version_of_its_reference() -> None:
    agreements, *_ = _world()
    candidate = _discharge().model_copy(update={"version": 7, "status": "draft"})
    replaced = in_place_of(agreements, candidate)
    mine = [a for a in replaced if a.reference == DISCHARGE]
    assert [(a.version, a.status) for a in mine] == [(7, "active")]
    assert len(replaced) == len(agreements)


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_a_narrower_matrix_never_lets_more_go(data: st.DataObject) -> None:
    discharge = _discharge()
    cells = sorted({(r.organisation, c) for r in discharge.need_to_know for c in r.categories})
    removed = data.draw(st.lists(st.sampled_from(cells), unique=True, max_size=len(cells)))
    candidate = discharge
    for organisation, category in removed:
        candidate = _without(candidate, organisation, category)
    report = _report(candidate)
    assert not any(change.wider for change in report.changes)
