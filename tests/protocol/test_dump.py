"""A pack written out as YAML files and loaded again is the same pack.

The property covers the loader and the writer together: whatever consistent pack a region
could hold, saving it and loading it back loses nothing, however awkward its text is for
YAML (``no``, ``null``, ``2002-10-01``, ``#``, quotes, newlines, non-ASCII).
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infoshare.protocol import builtin_pack_names, load_builtin_pack, load_pack_texts
from infoshare.protocol.dump import pack_texts
from infoshare.protocol.schema import (
    Adoption,
    Clause,
    DataCategory,
    GroundKind,
    LegalGround,
    Membership,
    Organisation,
    OrganisationType,
    PackInfo,
    Principle,
    Procedure,
    ProtocolPack,
    Purpose,
    ReviewSchedule,
    Role,
    RoleScope,
    Safeguard,
    SuppressionRule,
    TransferMethod,
)

AWKWARD = st.sampled_from(["no", "yes", "null", "~", "2002-10-01", "1.5", "a: b", "# x", "'q'"])
CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"))
text = (
    st.text(alphabet=st.one_of(CHARACTERS, st.just("\n")), min_size=1, max_size=30) | AWKWARD
).filter(lambda t: t.strip() == t and t != "")
slug = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
code = st.from_regex(r"[A-Z0-9]{2,12}", fullmatch=True)
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))


def unique(strategy: st.SearchStrategy[str], min_size: int = 1) -> st.SearchStrategy[list[str]]:
    return st.lists(strategy, min_size=min_size, max_size=5, unique=True)


@st.composite
def packs(draw: st.DrawFn) -> ProtocolPack:
    as_of = draw(dates)
    info = PackInfo(
        id=draw(slug),
        version=draw(text),
        title=draw(text),
        jurisdiction=draw(text),
        as_of=as_of,
        source=draw(text),
        disclaimer=draw(text),
        assumptions=draw(st.lists(text, max_size=3)),
    )

    organisations = []
    for index, org_code in enumerate(draw(unique(code))):
        party = index == 0 or draw(st.booleans())
        adopted = party and draw(st.booleans())
        organisations.append(
            Organisation(
                code=org_code,
                name=draw(text),
                type=draw(st.sampled_from(OrganisationType)),
                membership=Membership.PARTY if party else Membership.SUPPORTING_MEMBER,
                departments=draw(st.lists(text, max_size=2)),
                adoption=Adoption(
                    approved_on=draw(st.dates(max_value=as_of)),
                    approving_body=draw(text),
                    minute_reference=draw(st.none() | text),
                )
                if adopted
                else None,
            )
        )

    purposes = [
        Purpose(
            id=i, title=draw(text), summary=draw(text), needs_identifiable_data=draw(st.booleans())
        )
        for i in draw(unique(slug))
    ]
    principles = [
        Principle(id=f"P{n}", title=draw(text), summary=draw(text))
        for n in range(1, draw(st.integers(1, 15)) + 1)
    ]
    procedures = []
    for letter in draw(st.lists(st.sampled_from("ABCD"), min_size=1, max_size=3, unique=True)):
        section = draw(text)
        for n in range(1, draw(st.integers(1, 8)) + 1):
            procedures.append(
                Procedure(id=f"{letter}{n}", section=section, title=draw(text), summary=draw(text))
            )
    sections = [
        Clause(id=i, title=draw(text), summary=draw(text))
        for i in draw(unique(st.from_regex(r"[1-9](\.[1-9])?", fullmatch=True), min_size=0))
    ]
    citable = [p.citation for p in principles] + [p.citation for p in procedures]
    citable += [f"Section {s.id}" for s in sections]
    procedure_ids = st.sampled_from([p.id for p in procedures])

    ground_ids = draw(unique(slug))
    grounds = []
    for index, ground_id in enumerate(ground_ids):
        effect = draw(st.sampled_from(["duty", "power", "condition", "constraint", "exemption"]))
        others = [g for g in ground_ids if g != ground_id]
        grounds.append(
            LegalGround(
                id=ground_id,
                citation=draw(text),
                title=draw(text),
                summary=draw(text),
                kind=draw(st.sampled_from(GroundKind)),
                permits_sharing_without_consent=effect != "constraint" and draw(st.booleans()),
                covers_sensitive_data=index == 0 or draw(st.booleans()),
                purposes=draw(st.lists(st.sampled_from([p.id for p in purposes]), max_size=3)),
                organisation_types=draw(st.lists(st.sampled_from(OrganisationType), max_size=3)),
                effect=effect,
                relies_on=draw(st.lists(st.sampled_from(others), max_size=2)) if others else [],
            )
        )

    categories = []
    for category_id in draw(unique(slug)):
        sensitive = draw(st.booleans())
        categories.append(
            DataCategory(
                id=category_id,
                title=draw(text),
                summary=draw(text),
                sensitive=sensitive,
                sensitive_under=draw(text) if sensitive else None,
                statutory_restriction=draw(st.none() | text),
                identifying=draw(st.booleans()),
            )
        )
    methods = [
        TransferMethod(
            id=method_id,
            title=draw(text),
            procedure=draw(procedure_ids),
            safeguards=[Safeguard(id=s, text=draw(text)) for s in draw(unique(slug))],
        )
        for method_id in draw(unique(slug))
    ]
    roles = [
        Role(
            id=role_id,
            title=draw(text),
            scope=draw(st.sampled_from(RoleScope)),
            responsibilities=draw(st.lists(text, min_size=1, max_size=3)),
            clauses=draw(st.lists(st.sampled_from(citable), max_size=3)),
            may_approve_disclosure_without_consent=index == 0 or draw(st.booleans()),
        )
        for index, role_id in enumerate(draw(unique(slug)))
    ]
    low = draw(st.integers(0, 24))
    review = ReviewSchedule(
        initial_monitoring_months=draw(st.integers(0, 12)),
        first_review_after_months=(low, draw(st.integers(low, 36))),
        then_every_months=draw(st.integers(1, 36)),
        feedback_requested_days_before=draw(st.integers(0, 90)),
        isa_review_max_months=draw(st.integers(1, 36)),
    )
    suppression = SuppressionRule(
        procedure=draw(procedure_ids),
        suppress_below=draw(st.integers(1, 20)),
        round_to=draw(st.integers(1, 10)),
        secondary_suppression=draw(st.booleans()),
        source=draw(text),
    )
    return ProtocolPack(
        pack=info,
        organisations=organisations,
        purposes=purposes,
        principles=principles,
        procedures=procedures,
        roles=roles,
        legal_grounds=grounds,
        data_categories=categories,
        transfer_methods=methods,
        review=review,
        suppression=suppression,
        sections=sections,
    )


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(packs())
def test_any_pack_written_and_loaded_again_is_equal(pack: ProtocolPack) -> None:
    assert load_pack_texts(pack_texts(pack)) == pack


def test_builtin_packs_survive_being_written_out() -> None:
    for name in builtin_pack_names():
        pack = load_builtin_pack(name)
        assert load_pack_texts(pack_texts(pack)) == pack


def test_a_pack_without_sections_writes_no_sections_file() -> None:
    pack = load_builtin_pack("leeds-2002").model_copy(update={"sections": []})
    roles = [r.model_copy(update={"clauses": []}) for r in pack.roles]
    pack = pack.model_copy(update={"roles": roles})
    texts = pack_texts(pack)
    assert "sections.yaml" not in texts
    assert load_pack_texts(texts) == pack
