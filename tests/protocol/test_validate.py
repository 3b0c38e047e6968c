"""Cross-reference checks: what makes entries that are each well-formed disagree."""

from __future__ import annotations

from datetime import date

import pytest

from infoshare.protocol import load_builtin_pack
from infoshare.protocol.schema import Adoption, Membership, ProtocolPack
from infoshare.protocol.validate import Finding, render_path, validate_pack


@pytest.fixture(scope="module")
def leeds() -> ProtocolPack:
    return load_builtin_pack("leeds-2002")


@pytest.mark.parametrize("name", ["leeds-2002", "uk-2018"])
def test_builtin_packs_are_consistent(name: str) -> None:
    assert validate_pack(load_builtin_pack(name)) == []


def test_a_supporting_member_cannot_adopt_the_protocol(leeds: ProtocolPack) -> None:
    orgs = list(leeds.organisations)
    index = next(i for i, o in enumerate(orgs) if o.code == "VOICE")
    adoption = Adoption(approved_on=date(2002, 9, 1), approving_body="Management Committee")
    orgs[index] = orgs[index].model_copy(update={"adoption": adoption})
    findings = validate_pack(leeds.model_copy(update={"organisations": orgs}))
    assert findings == [
        Finding(
            ("organisations", index, "adoption"),
            "`VOICE` is a supporting-member, and only parties adopt the protocol "
            "(Section 1.2, Procedure C1); remove its adoption or make it a party",
        )
    ]


def test_an_adoption_after_the_pack_date_is_a_problem(leeds: ProtocolPack) -> None:
    orgs = list(leeds.organisations)
    adoption = Adoption(approved_on=date(2002, 11, 1), approving_body="Executive Board")
    orgs[7] = orgs[7].model_copy(update={"adoption": adoption})
    findings = validate_pack(leeds.model_copy(update={"organisations": orgs}))
    assert [f.path for f in findings] == [("organisations", 7, "adoption", "approved_on")]
    assert "after the pack's as_of date 2002-10-01" in findings[0].reason


def test_a_pack_without_parties_is_a_problem(leeds: ProtocolPack) -> None:
    orgs = [
        o.model_copy(update={"membership": Membership.SUPPORTING_MEMBER, "adoption": None})
        for o in leeds.organisations
    ]
    findings = validate_pack(leeds.model_copy(update={"organisations": orgs}))
    assert [f.path for f in findings] == [("organisations",)]


def test_procedures_numbered_with_a_gap_are_a_problem(leeds: ProtocolPack) -> None:
    procedures = [p for p in leeds.procedures if p.id != "B6"]
    findings = validate_pack(leeds.model_copy(update={"procedures": procedures}))
    assert findings == [
        Finding(
            ("procedures",),
            "procedures are numbered with gaps: B6 missing; number them B1 to B8",
        )
    ]


def test_procedures_of_one_letter_share_a_section(leeds: ProtocolPack) -> None:
    procedures = list(leeds.procedures)
    procedures[2] = procedures[2].model_copy(update={"section": "Consent"})
    findings = validate_pack(leeds.model_copy(update={"procedures": procedures}))
    assert [f.path for f in findings] == [("procedures", 2, "section")]


def test_a_constraint_cannot_permit_sharing_without_consent(leeds: ProtocolPack) -> None:
    grounds = list(leeds.legal_grounds)
    index = next(i for i, g in enumerate(grounds) if g.id == "hfea-1990-s33")
    grounds[index] = grounds[index].model_copy(update={"permits_sharing_without_consent": True})
    findings = validate_pack(leeds.model_copy(update={"legal_grounds": grounds}))
    assert [f.path for f in findings] == [
        ("legal_grounds", index, "permits_sharing_without_consent")
    ]


def test_relies_on_must_name_another_known_ground(leeds: ProtocolPack) -> None:
    grounds = list(leeds.legal_grounds)
    index = next(i for i, g in enumerate(grounds) if g.id == "cda-1998-s115")
    grounds[index] = grounds[index].model_copy(
        update={"relies_on": ["dpa-1998-sch9-1", "cda-1998-s115"]}
    )
    findings = validate_pack(leeds.model_copy(update={"legal_grounds": grounds}))
    assert [f.path for f in findings] == [
        ("legal_grounds", index, "relies_on", 0),
        ("legal_grounds", index, "relies_on", 1),
    ]
    assert findings[0].reason.startswith("relies on unknown legal ground `dpa-1998-sch9-1`")
    assert findings[1].reason.startswith("`cda-1998-s115` relies on itself")


def test_a_provision_without_the_sensitive_flag_is_a_problem(leeds: ProtocolPack) -> None:
    categories = list(leeds.data_categories)
    categories[0] = categories[0].model_copy(update={"sensitive_under": "DPA 1998 s.2(a)"})
    findings = validate_pack(leeds.model_copy(update={"data_categories": categories}))
    assert [f.path for f in findings] == [("data_categories", 0, "sensitive")]


def test_sensitive_categories_need_a_ground_that_covers_them(leeds: ProtocolPack) -> None:
    grounds = [g.model_copy(update={"covers_sensitive_data": False}) for g in leeds.legal_grounds]
    findings = validate_pack(leeds.model_copy(update={"legal_grounds": grounds}))
    assert [f.path for f in findings] == [("legal_grounds",)]


def test_someone_must_be_able_to_approve_sharing_without_consent(leeds: ProtocolPack) -> None:
    roles = [
        r.model_copy(update={"may_approve_disclosure_without_consent": False}) for r in leeds.roles
    ]
    findings = validate_pack(leeds.model_copy(update={"roles": roles}))
    assert [f.path for f in findings] == [("roles",)]
    assert "Procedure A5" in findings[0].reason


def test_suppression_must_name_a_known_procedure(leeds: ProtocolPack) -> None:
    rule = leeds.suppression.model_copy(update={"procedure": "B9"})
    findings = validate_pack(leeds.model_copy(update={"suppression": rule}))
    assert [f.path for f in findings] == [("suppression", "procedure")]


def test_a_backwards_review_range_is_a_problem(leeds: ProtocolPack) -> None:
    review = leeds.review.model_copy(update={"first_review_after_months": (12, 6)})
    findings = validate_pack(leeds.model_copy(update={"review": review}))
    assert findings == [
        Finding(
            ("review", "first_review_after_months"),
            "the range 12–6 runs backwards; write the earlier month first",
        )
    ]


def test_duplicate_safeguards_within_a_method_are_a_problem(leeds: ProtocolPack) -> None:
    methods = list(leeds.transfer_methods)
    fax = methods[0]
    methods[0] = fax.model_copy(update={"safeguards": [*fax.safeguards, fax.safeguards[0]]})
    findings = validate_pack(leeds.model_copy(update={"transfer_methods": methods}))
    assert [f.path for f in findings] == [
        ("transfer_methods", 0, "safeguards", len(fax.safeguards), "id")
    ]


def test_paths_render_as_problems_name_them() -> None:
    assert render_path(("legal_grounds", 4, "purposes", 1)) == "legal_grounds[4].purposes[1]"
    assert render_path(("review", "then_every_months")) == "review.then_every_months"
