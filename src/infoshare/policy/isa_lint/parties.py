"""Lint rules about who is party to an agreement (Sections 1.1, 1.2; Procedures C1, A6).

An agreement activates the protocol between partners (Section 1.1), so its parties must be
partners of the protocol (1.2) that have approved it (C1), some providing and some
receiving, with someone to contact at each (A6).
"""

from __future__ import annotations

from collections.abc import Iterator

from infoshare.domain.agreement import InformationSharingAgreement
from infoshare.policy.isa_lint.rule import Issue, LintContext, RuleId, Severity, rule
from infoshare.policy.isa_lint.transfers import procedures_relied_on
from infoshare.protocol.schema import Membership, ProtocolPack


@rule(
    RuleId.PROTOCOL_MISMATCH,
    Severity.ERROR,
    "Section 1.1",
    checks="the agreement names the protocol pack it is checked against",
    fix="set `protocol` to the pack the parties adopted, or lint against that pack",
)
def protocol_mismatch(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if isa.protocol != pack.id:
        yield Issue(
            ("protocol",),
            f"the agreement is made under `{isa.protocol}` but is checked against `{pack.id}`",
            f"set `protocol: {pack.id}` if the parties adopted it, or lint with "
            f"`--pack {isa.protocol}`",
        )


@rule(
    RuleId.UNKNOWN_ORGANISATION,
    Severity.ERROR,
    "Section 1.2",
    checks="every party is an organisation of the protocol",
    fix="use the organisation's code from the pack (`infoshare pack show`)",
)
def unknown_organisation(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    known = {o.code for o in pack.organisations}
    for index, party in enumerate(isa.parties):
        if party.organisation not in known:
            yield Issue(
                ("parties", index, "organisation"),
                f"`{party.organisation}` is not an organisation of the protocol `{pack.id}`",
                f"use one of {_codes(sorted(known))}; an organisation outside the protocol "
                "must join it before it can share under an agreement",
            )


@rule(
    RuleId.SUPPORTING_MEMBER,
    Severity.WARNING,
    "Section 1.2",
    checks="a party that only supports the protocol has confirmed the procedures relied on",
    fix="record the member's confirmation that it follows those procedures (Procedure C3)",
)
def supporting_member(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    members = {o.code for o in pack.organisations if o.membership is Membership.SUPPORTING_MEMBER}
    needed = set(procedures_relied_on(isa, pack))
    confirmed = context.confirmed_procedures or {}
    for index, party in enumerate(isa.parties):
        if party.organisation in members and not needed <= confirmed.get(party.organisation, set()):
            yield Issue(
                ("parties", index, "organisation"),
                f"`{party.organisation}` supports the protocol but is not party to it, so it "
                "has not undertaken the protocol's procedures",
                f"record `{party.organisation}`'s written confirmation that it follows procedures "
                f"{', '.join(sorted(needed))} (Procedure C3), and say so in "
                f"`parties[{index}].responsibilities`",
            )


@rule(
    RuleId.PARTY_NOT_ADOPTED,
    Severity.ERROR,
    "Procedure C1",
    checks="every party that is party to the protocol has approved it by today",
    fix="wait for the party's board to approve the protocol, then record the approval",
)
def party_not_adopted(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    parties = {o.code for o in pack.organisations if o.membership is Membership.PARTY}
    for index, party in enumerate(isa.parties):
        code = party.organisation
        if code in parties and context.adoption_date(pack, code) is None:
            yield Issue(
                ("parties", index, "organisation"),
                f"`{code}` has not approved the protocol as at {context.today}",
                f"record `{code}`'s board approval of the protocol (Procedure C1) before the "
                "agreement is activated",
            )


@rule(
    RuleId.DUPLICATE_PARTY,
    Severity.ERROR,
    "Section 1.1",
    checks="each organisation is listed once among the parties",
    fix="merge the entries: one party with `does: both` if it provides and receives",
)
def duplicate_party(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    seen: set[str] = set()
    for index, party in enumerate(isa.parties):
        if party.organisation in seen:
            yield Issue(
                ("parties", index, "organisation"),
                f"`{party.organisation}` is listed more than once among the parties",
                "keep one entry; use `does: both` for a party that provides and receives",
            )
        seen.add(party.organisation)


@rule(
    RuleId.NO_PROVIDER_OR_RECIPIENT,
    Severity.ERROR,
    "Section 1.1",
    checks="at least two organisations, at least one providing and one receiving",
    fix="add the missing party, or correct what each party `does`",
)
def no_provider_or_recipient(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if len(set(isa.party_codes)) < 2:
        yield Issue(
            ("parties",),
            "an agreement shares between partners, but it names fewer than two organisations",
            "add every organisation that provides or receives information under it",
        )
        return
    if not any(p.provides for p in isa.parties):
        yield Issue(
            ("parties",),
            "no party provides information, so nothing is shared",
            "set `does: provides` or `does: both` for the parties that disclose",
        )
    if not any(p.receives for p in isa.parties):
        yield Issue(
            ("parties",),
            "no party receives information, so nothing is shared",
            "set `does: receives` or `does: both` for the parties that receive",
        )


@rule(
    RuleId.OWNER_NOT_A_PARTY,
    Severity.ERROR,
    "Section 1.1",
    checks="the agreement's owner is one of its parties",
    fix="make a party the owner, or add the owner's organisation as a party",
)
def owner_not_a_party(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if isa.owner.organisation not in isa.party_codes:
        yield Issue(
            ("owner", "organisation"),
            f"the owner `{isa.owner.organisation}` is not a party to the agreement",
            f"choose the owner from the parties ({_codes(isa.party_codes)})",
        )


@rule(
    RuleId.PARTY_WITHOUT_CONTACT,
    Severity.WARNING,
    "Procedure A6",
    checks="every party names a contact for the agreement",
    fix="add a `contacts` entry for the party, with name, post and role",
)
def party_without_contact(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    with_contact = {c.organisation for c in isa.contacts}
    for index, code in enumerate(isa.party_codes):
        if code not in with_contact:
            yield Issue(
                ("parties", index, "organisation"),
                f"`{code}` names nobody to contact about the agreement",
                f"add a `contacts` entry with `organisation: {code}`, a name, post and role",
            )


def _codes(codes: list[str]) -> str:
    return ", ".join(f"`{code}`" for code in dict.fromkeys(codes))


RULES = (
    protocol_mismatch,
    unknown_organisation,
    supporting_member,
    party_not_adopted,
    duplicate_party,
    no_provider_or_recipient,
    owner_not_a_party,
    party_without_contact,
)
