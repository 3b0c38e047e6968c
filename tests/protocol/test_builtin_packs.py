"""The packs infoshare ships load, and say what their protocols say."""

from __future__ import annotations

import re

import pytest

from infoshare.errors import UnknownReferenceError
from infoshare.protocol import (
    builtin_pack_names,
    builtin_pack_path,
    load_builtin_pack,
    load_pack_reference,
)
from infoshare.protocol.schema import Membership, OrganisationType, ProtocolPack

PURPOSES = [
    "care", "protection", "crime", "support", "complaints",
    "planning", "commissioning", "strategy", "performance-audit", "research",
]  # fmt: skip
IDENTIFIABLE = {"care", "protection", "crime", "support", "complaints"}
PROCEDURES = [f"A{n}" for n in range(1, 8)] + [f"B{n}" for n in range(1, 9)]
PROCEDURES += [f"C{n}" for n in range(1, 6)]
STAFF_ROLES = {
    "practitioner", "designated-officer", "lead-member", "information-sharing-manager",
    "steering-group", "administrator", "data-protection-officer", "information-sharing-lead",
}  # fmt: skip


@pytest.fixture(scope="module")
def leeds() -> ProtocolPack:
    return load_builtin_pack("leeds-2002")


@pytest.fixture(scope="module")
def uk() -> ProtocolPack:
    return load_builtin_pack("uk-2018")


def test_both_packs_are_shipped() -> None:
    assert builtin_pack_names() == ["leeds-2002", "uk-2018"]


@pytest.mark.parametrize("name", ["leeds-2002", "uk-2018"])
def test_builtin_pack_loads_and_names_itself(name: str) -> None:
    pack = load_builtin_pack(name)
    assert pack.id == name
    assert builtin_pack_path(name).name == name
    assert "not legal advice" in pack.pack.disclaimer


def test_unknown_builtin_pack_lists_the_known_ones() -> None:
    with pytest.raises(UnknownReferenceError, match="`leeds-2002`, `uk-2018`") as caught:
        load_builtin_pack("leeds-2020")
    assert "`leeds-2020`" in caught.value.message


def test_builtin_pack_is_loaded_once() -> None:
    assert load_builtin_pack("leeds-2002") is load_builtin_pack("leeds-2002")


def test_pack_reference_is_a_name_or_a_path() -> None:
    by_name = load_pack_reference("uk-2018")
    by_path = load_pack_reference(str(builtin_pack_path("uk-2018")))
    assert by_name == by_path
    with pytest.raises(UnknownReferenceError, match="`no-such-pack` is neither"):
        load_pack_reference("no-such-pack")


# --- leeds-2002 ---------------------------------------------------------------------------


def test_leeds_has_the_ten_parties_and_six_supporting_members_of_section_1_2(
    leeds: ProtocolPack,
) -> None:
    parties = [o.code for o in leeds.organisations if o.membership is Membership.PARTY]
    supporters = [o.code for o in leeds.organisations if o.membership is not Membership.PARTY]
    assert parties == [
        "LTHT", "LMHST", "WLPCT", "NWLPCT", "NELPCT", "ELPCT", "SLPCT", "LCC", "EDL", "WYP",
    ]  # fmt: skip
    assert supporters == ["WYPROB", "WYMAS", "LCHC", "VOICE", "SUCA", "ANL"]
    assert leeds.organisation("LCC").departments == [
        "Social Services",
        "Housing and Environmental Services",
        "Community Planning and Regeneration",
    ]
    assert leeds.organisation("LCHC").type is OrganisationType.PATIENT_WATCHDOG


def test_leeds_records_seven_of_ten_parties_approved_by_1_october_2002(
    leeds: ProtocolPack,
) -> None:
    approved = [o for o in leeds.organisations if o.adoption is not None]
    assert len(approved) == 7
    assert all(o.membership is Membership.PARTY for o in approved)
    assert all(o.adoption and o.adoption.approved_on <= leeds.pack.as_of for o in approved)
    assert leeds.pack.as_of.isoformat() == "2002-10-01"
    assert any("seven of its ten parties" in a for a in leeds.pack.assumptions)


def test_leeds_has_the_ten_purposes_with_their_identifiable_flags(leeds: ProtocolPack) -> None:
    assert [p.id for p in leeds.purposes] == PURPOSES
    needs_identity = {p.id for p in leeds.purposes if p.needs_identifiable_data}
    assert needs_identity == IDENTIFIABLE


def test_leeds_has_fifteen_principles_and_twenty_procedures(leeds: ProtocolPack) -> None:
    assert [p.citation for p in leeds.principles] == [f"Principle {n}" for n in range(1, 16)]
    assert leeds.principle(7).title == "Need to know"
    assert [p.id for p in leeds.procedures] == PROCEDURES
    assert leeds.procedure("A5").title == "Sharing information without consent"
    assert leeds.procedure("B8").section == "Access and security procedures"


def test_leeds_procedure_summaries_say_they_are_assumed(leeds: ProtocolPack) -> None:
    assert all(p.summary.startswith("(Assumed.)") for p in leeds.procedures)


def test_leeds_sections_are_citable(leeds: ProtocolPack) -> None:
    numbers = ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "4.1", "4.2", "4.3", "4.4", "5"]
    assert [s.id for s in leeds.sections] == numbers
    assert leeds.cites("Section 4.4")
    assert leeds.cites("Principle 15")
    assert leeds.cites("Procedure C5")
    assert not leeds.cites("Principle 16")
    assert not leeds.cites("Procedure A8")


DPA_1998_S2 = {
    "racial-ethnic-origin": "a", "political-opinions": "b", "religious-beliefs": "c",
    "trade-union-membership": "d", "physical-health": "e", "mental-health": "e",
    "sexual-life": "f", "offences": "g", "criminal-proceedings": "h",
}  # fmt: skip


def test_every_dpa_1998_section_2_category_is_sensitive_with_its_paragraph(
    leeds: ProtocolPack,
) -> None:
    for category_id, letter in DPA_1998_S2.items():
        category = leeds.category(category_id)
        assert category.sensitive, category_id
        assert category.sensitive_under == f"DPA 1998 s.2({letter})"
    assert not leeds.category("housing").sensitive
    assert leeds.category("identity").identifying
    assert leeds.category("nhs-number").identifying


def test_sexual_health_and_fertility_carry_their_statutory_restrictions(
    leeds: ProtocolPack,
) -> None:
    sexual_health = leeds.category("sexual-health").statutory_restriction or ""
    fertility = leeds.category("fertility-treatment").statutory_restriction or ""
    assert "Sexually Transmitted Diseases) Directions 2000" in sexual_health
    assert "Human Fertilisation and Embryology Act 1990" in fertility


def test_leeds_legal_grounds_cover_the_law_of_2002(leeds: ProtocolPack) -> None:
    ids = {g.id for g in leeds.legal_grounds}
    expected = {f"dpa-1998-sch2-{n}" for n in range(1, 7)}
    expected |= {f"dpa-1998-sch3-{n}" for n in range(1, 11)}
    expected |= {
        "dpa-1998-principles", "dpa-1998-s29", "dpa-1998-s35", "dpa-1998-s7", "hra-1998-art8",
        "common-law-confidence", "public-interest", "caldicott-1997", "cda-1998-s115",
        "ca-1989-s17", "ca-1989-s27", "ca-1989-s47", "hsca-2001-s60", "mha-1983-s117",
        "ahra-1990", "lga-2000-s2", "ea-2002-s175", "poca-1999", "std-directions-2000",
        "hfea-1990-s33",
    }  # fmt: skip
    assert expected <= ids
    assert all(g.covers_sensitive_data for g in leeds.legal_grounds if "sch3" in g.id)


def test_leeds_grounds_say_which_can_override_consent(leeds: ProtocolPack) -> None:
    s29 = leeds.legal_ground("dpa-1998-s29")
    assert s29.permits_sharing_without_consent
    assert s29.purposes == ["crime"]
    s115 = leeds.legal_ground("cda-1998-s115")
    assert s115.effect == "power"
    assert s115.relies_on  # a power that still needs the DPA conditions
    assert leeds.legal_ground("ca-1989-s47").effect == "duty"
    assert not leeds.legal_ground("dpa-1998-sch3-1").permits_sharing_without_consent
    for constraint in ("std-directions-2000", "hfea-1990-s33", "common-law-confidence"):
        assert not leeds.legal_ground(constraint).permits_sharing_without_consent


def test_leeds_transfer_methods_follow_procedures_b2_to_b5(leeds: ProtocolPack) -> None:
    by_procedure = {m.id: m.procedure for m in leeds.transfer_methods}
    assert by_procedure == {"fax": "B2", "email": "B3", "disc": "B3", "verbal": "B4", "post": "B5"}
    fax = {s.id for s in leeds.transfer_method("fax").safeguards}
    assert {"safe-haven", "confirm-number", "cover-sheet"} <= fax
    assert "verify-identity" in {s.id for s in leeds.transfer_method("verbal").safeguards}
    assert "recorded-delivery" in {s.id for s in leeds.transfer_method("post").safeguards}


def test_leeds_roles_include_section_4_1_and_the_staff_roles(leeds: ProtocolPack) -> None:
    ids = {r.id for r in leeds.roles}
    assert ids >= STAFF_ROLES
    assert {"flis-implementation-board", "organisation-board", "breach-adjudicator"} <= ids
    approvers = [r.id for r in leeds.roles if r.may_approve_disclosure_without_consent]
    assert approvers == ["designated-officer"]


def test_leeds_review_follows_section_4_4(leeds: ProtocolPack) -> None:
    review = leeds.review
    assert review.initial_monitoring_months == 6
    assert review.first_review_after_months == (6, 12)
    assert review.then_every_months == 12
    assert review.feedback_requested_days_before == 30
    assert review.isa_review_max_months <= 12


def test_leeds_suppression_names_its_threshold_and_source(leeds: ProtocolPack) -> None:
    rule = leeds.suppression
    assert (rule.procedure, rule.suppress_below, rule.round_to) == ("B8", 6, 1)
    assert rule.secondary_suppression
    assert "Hospital Episode Statistics" in rule.source


# --- uk-2018 ------------------------------------------------------------------------------


def test_uk_keeps_the_protocol_structure(leeds: ProtocolPack, uk: ProtocolPack) -> None:
    assert [p.id for p in uk.purposes] == PURPOSES
    assert {p.id for p in uk.purposes if p.needs_identifiable_data} == IDENTIFIABLE
    assert [p.id for p in uk.principles] == [p.id for p in leeds.principles]
    assert [(p.id, p.title) for p in uk.procedures] == [(p.id, p.title) for p in leeds.procedures]
    assert {r.id for r in uk.roles} >= STAFF_ROLES


def test_uk_organisations_cover_a_modern_region(uk: ProtocolPack) -> None:
    types = {o.type for o in uk.organisations}
    assert {
        OrganisationType.ACUTE_TRUST, OrganisationType.MENTAL_HEALTH_TRUST,
        OrganisationType.INTEGRATED_CARE_BOARD, OrganisationType.LOCAL_AUTHORITY,
        OrganisationType.POLICE, OrganisationType.EDUCATION, OrganisationType.PROBATION,
        OrganisationType.AMBULANCE, OrganisationType.VOLUNTARY,
    } <= types  # fmt: skip
    assert "fictional" in uk.pack.jurisdiction


def test_uk_has_every_article_6_and_9_condition(uk: ProtocolPack) -> None:
    ids = {g.id for g in uk.legal_grounds}
    assert {f"ukgdpr-art6-1-{letter}" for letter in "abcdef"} <= ids
    assert {f"ukgdpr-art9-2-{letter}" for letter in "abcdefghij"} <= ids
    assert all(uk.legal_ground(f"ukgdpr-art9-2-{x}").covers_sensitive_data for x in "abcdefghij")
    expected = {
        "ukgdpr-art10", "dpa-2018-sch1-para2", "dpa-2018-sch1-para18", "dpa-2018-sch2-para2",
        "dpa-2018-sch2-para5", "dpa-2018-part3", "care-act-2014-s42", "care-act-2014-s45",
        "ca-2004-s10", "ca-2004-s11", "ca-1989-s17", "ca-1989-s47", "hsca-2012-s251b",
        "nhs-act-2006-s251-copi-reg3", "nhs-act-2006-s251-copi-reg5", "caldicott-2020",
        "national-data-opt-out", "common-law-confidence", "public-interest",
    }  # fmt: skip
    assert expected <= ids


def test_uk_national_data_opt_out_is_a_constraint(uk: ProtocolPack) -> None:
    opt_out = uk.legal_ground("national-data-opt-out")
    assert opt_out.effect == "constraint"
    assert not opt_out.permits_sharing_without_consent
    assert set(opt_out.purposes) >= {"research", "planning"}
    assert "care" not in opt_out.purposes


def test_uk_caldicott_has_eight_principles(uk: ProtocolPack) -> None:
    summary = uk.legal_ground("caldicott-2020").summary
    assert re.findall(r"\b([1-8]) ", summary) == [str(n) for n in range(1, 9)]


def test_uk_sensitive_categories_cite_article_9_or_10(uk: ProtocolPack) -> None:
    sensitive = [c for c in uk.data_categories if c.sensitive]
    assert {c.id for c in sensitive} >= {"genetic-data", "biometric-data", "offences"}
    for category in sensitive:
        assert (category.sensitive_under or "").startswith(("UK GDPR Art. 9", "UK GDPR Art. 10"))


def test_uk_suppression_follows_nhs_digital(uk: ProtocolPack) -> None:
    assert (uk.suppression.suppress_below, uk.suppression.round_to) == (8, 5)
