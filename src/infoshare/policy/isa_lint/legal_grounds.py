"""Lint rules about the legal basis of each purpose (Principles 2, 5, 6; Procedure A5).

Each purpose that shares personal information names the legal grounds it relies on
(Section 2.2, Appendix 1). A ground that serves other purposes, or other kinds of body,
does not count; sensitive data need a condition of their own (DPA 1998 Schedule 3, Procedure
A5); sharing without consent needs a ground that allows it (Principle 6).
"""

from __future__ import annotations

from collections.abc import Iterator

from infoshare.domain.agreement import AgreedPurpose, ConsentModel, InformationSharingAgreement
from infoshare.policy.isa_lint.rule import Issue, LintContext, RuleId, Severity, rule
from infoshare.policy.isa_lint.scope import categories_for
from infoshare.protocol.schema import LegalGround, ProtocolPack


def _identifiable(agreed: AgreedPurpose) -> bool:
    return agreed.consent_model is not ConsentModel.ANONYMISED_ONLY


def _grounds(agreed: AgreedPurpose, pack: ProtocolPack) -> list[LegalGround]:
    known = {g.id: g for g in pack.legal_grounds}
    return [known[g] for g in agreed.legal_grounds if g in known]


@rule(
    RuleId.PURPOSE_WITHOUT_LEGAL_GROUND,
    Severity.ERROR,
    "Principle 2",
    checks="every purpose sharing identifiable information names a ground that allows it",
    fix="list in `legal_grounds` the provisions that make the sharing lawful",
)
def purpose_without_legal_ground(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    known = {g.id: g for g in pack.legal_grounds}
    for index, agreed in enumerate(isa.purposes):
        if not _identifiable(agreed):
            continue
        named = [known[g] for g in agreed.legal_grounds if g in known]
        if not agreed.legal_grounds:
            yield Issue(
                ("purposes", index, "legal_grounds"),
                f"`{agreed.purpose}` shares identifiable information on no stated legal ground",
                "add the legal grounds (e.g. a DPA 1998 Schedule 2 condition) the purpose "
                "relies on",
            )
        elif named and all(g.effect == "constraint" for g in named):
            # A duty of confidence or Article 8 limits sharing; it never permits it.
            yield Issue(
                ("purposes", index, "legal_grounds"),
                f"`{agreed.purpose}` names only constraints on sharing "
                f"({', '.join(g.citation for g in named)}), no ground that permits it",
                "add the condition or power the sharing relies on (e.g. a DPA 1998 Schedule 2 "
                "condition); keep the constraints too",
            )


@rule(
    RuleId.UNKNOWN_LEGAL_GROUND,
    Severity.ERROR,
    "Section 2.2",
    checks="every legal ground named is one the protocol lists",
    fix="use a legal ground id from the pack (`infoshare pack show`)",
)
def unknown_legal_ground(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    known = {g.id for g in pack.legal_grounds}
    for index, agreed in enumerate(isa.purposes):
        for ground_index, ground in enumerate(agreed.legal_grounds):
            if ground not in known:
                yield Issue(
                    ("purposes", index, "legal_grounds", ground_index),
                    f"`{ground}` is not a legal ground of the protocol `{pack.id}`",
                    "use the id of a legal ground the pack lists; if the law is missing from "
                    "the pack, ask the Information Sharing Manager to add it",
                )


@rule(
    RuleId.GROUND_DOES_NOT_COVER_PURPOSE,
    Severity.ERROR,
    "Principle 2",
    checks="a legal ground limited to certain purposes is used only for those",
    fix="rely on a ground that serves the purpose, or drop the ground",
)
def ground_does_not_cover_purpose(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    known = {g.id: g for g in pack.legal_grounds}
    for index, agreed in enumerate(isa.purposes):
        for ground_index, ground_id in enumerate(agreed.legal_grounds):
            ground = known.get(ground_id)
            if ground is not None and ground.purposes and agreed.purpose not in ground.purposes:
                served = ", ".join(f"`{p}`" for p in ground.purposes)
                yield Issue(
                    ("purposes", index, "legal_grounds", ground_index),
                    f"`{ground_id}` ({ground.citation}) serves {served}, not `{agreed.purpose}`",
                    f"remove `{ground_id}` from `{agreed.purpose}`, or move it to a purpose "
                    "it serves",
                )


@rule(
    RuleId.GROUND_NOT_FOR_THESE_PARTIES,
    Severity.ERROR,
    "Principle 2",
    checks="a legal ground limited to certain kinds of body applies to one of the parties",
    fix="rely on a ground the parties can use",
)
def ground_not_for_these_parties(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    types = {o.code: o.type for o in pack.organisations}
    party_types = {types[code] for code in isa.party_codes if code in types}
    for index, agreed in enumerate(isa.purposes):
        for ground_index, ground in enumerate(agreed.legal_grounds):
            found = next((g for g in pack.legal_grounds if g.id == ground), None)
            if found is None or not found.organisation_types or not party_types:
                continue
            if not party_types & set(found.organisation_types):
                allowed = ", ".join(f"`{t}`" for t in found.organisation_types)
                yield Issue(
                    ("purposes", index, "legal_grounds", ground_index),
                    f"`{ground}` ({found.citation}) applies to {allowed} bodies, and no party "
                    "is one",
                    f"remove `{ground}`, or add the party the ground applies to",
                )


@rule(
    RuleId.SENSITIVE_WITHOUT_CONDITION,
    Severity.ERROR,
    "Procedure A5",
    checks="sensitive data shared without explicit consent rest on a sensitive-data condition",
    fix="require explicit consent, or add a condition for sensitive data (DPA 1998 Sch. 3)",
)
def sensitive_without_condition(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    sensitive = {c.id for c in pack.data_categories if c.sensitive}
    for index, agreed in enumerate(isa.purposes):
        if agreed.consent_model is not ConsentModel.CONSENT_OR_STATUTORY:
            continue  # explicit consent is itself a condition; anonymised data are not personal
        shared = [c for c in categories_for(isa, agreed.purpose) if c in sensitive]
        if shared and not any(g.covers_sensitive_data for g in _grounds(agreed, pack)):
            yield Issue(
                ("purposes", index, "legal_grounds"),
                f"`{agreed.purpose}` may share sensitive data ({', '.join(shared)}) without "
                "consent, but none of its grounds is a condition for sensitive data",
                "add a sensitive-data condition (e.g. DPA 1998 Schedule 3) that fits, or set "
                "`consent_model: consent`",
            )


@rule(
    RuleId.CONSENT_OVERRIDE_WITHOUT_GROUND,
    Severity.ERROR,
    "Principle 6",
    checks="sharing without consent rests on a ground that permits it",
    fix="add a statutory ground that permits sharing without consent, or require consent",
)
def consent_override_without_ground(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    for index, agreed in enumerate(isa.purposes):
        if agreed.consent_model is not ConsentModel.CONSENT_OR_STATUTORY:
            continue
        if not any(g.permits_sharing_without_consent for g in _grounds(agreed, pack)):
            yield Issue(
                ("purposes", index, "consent_model"),
                f"`{agreed.purpose}` allows sharing without consent, but none of its grounds "
                "permits that",
                "add the statutory ground that permits sharing without consent (Procedure A5), "
                "or set `consent_model: consent`",
            )


@rule(
    RuleId.STATUTORY_RESTRICTION,
    Severity.WARNING,
    "Principle 2",
    checks="categories under their own statutory restriction are flagged for advice",
    fix="remove the category, or take advice and record the exception relied on",
)
def statutory_restriction(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    restricted = {c.id: c.statutory_restriction for c in pack.data_categories}
    for index, category in enumerate(isa.data_categories):
        restriction = restricted.get(category)
        if restriction:
            yield Issue(
                ("data_categories", index),
                f"`{category}` is restricted by {restriction} whatever the consent model",
                f"remove `{category}`, or take advice and record in the purpose's "
                "`justification` the exception the disclosure relies on",
            )


RULES = (
    purpose_without_legal_ground,
    unknown_legal_ground,
    ground_does_not_cover_purpose,
    ground_not_for_these_parties,
    sensitive_without_condition,
    consent_override_without_ground,
    statutory_restriction,
)
