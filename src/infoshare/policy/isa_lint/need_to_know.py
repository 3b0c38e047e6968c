"""Lint rules about the need-to-know matrix (Principle 7, Procedure B7, Appendix 2).

The matrix says which role at which party may receive which category; everything else is
withheld. Rows must grant only what the agreement shares, to parties that receive, for the
agreement's purposes (Principle 9), and no role should get everything by default.
"""

from __future__ import annotations

from collections.abc import Iterator

from infoshare.domain.agreement import InformationSharingAgreement
from infoshare.policy.isa_lint.rule import Issue, LintContext, RuleId, Severity, rule
from infoshare.protocol.schema import ProtocolPack

#: below this many categories, granting all of them is unremarkable
EVERYTHING_FROM = 3


@rule(
    RuleId.NO_NEED_TO_KNOW_MATRIX,
    Severity.ERROR,
    "Procedure B7",
    checks="an agreement sharing identifiable information has a need-to-know matrix",
    fix="add `need_to_know` rows: which role at which party receives which categories",
)
def no_need_to_know_matrix(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if isa.purposes and not isa.anonymised_only and not isa.need_to_know:
        yield Issue(
            ("need_to_know",),
            "the agreement shares identifiable information but says nobody's need to know it",
            "add a `need_to_know` row for each role at each receiving party, with the "
            "categories that role needs",
        )


@rule(
    RuleId.UNKNOWN_CATEGORY,
    Severity.ERROR,
    "Procedure B7",
    checks="every data category is one the protocol defines",
    fix="use a data category id from the pack",
)
def unknown_category(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    known = {c.id for c in pack.data_categories}
    for index, category in enumerate(isa.data_categories):
        if category not in known:
            yield Issue(
                ("data_categories", index),
                f"`{category}` is not a data category of the protocol `{pack.id}`",
                "use a category id from the pack (`infoshare pack show`), e.g. `identity`",
            )
    if not isa.data_categories:
        yield Issue(
            ("data_categories",),
            "the agreement names no data category, so it cannot say what is shared",
            "list the categories of information shared",
        )


@rule(
    RuleId.UNKNOWN_ROLE,
    Severity.ERROR,
    "Procedure B7",
    checks="every role in the matrix and the contacts is one the protocol defines",
    fix="use a role id from the pack, e.g. `practitioner`",
)
def unknown_role(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    known = [r.id for r in pack.roles]
    listed = ", ".join(f"`{r}`" for r in known)
    for index, row in enumerate(isa.need_to_know):
        if row.role not in known:
            yield Issue(
                ("need_to_know", index, "role"),
                f"`{row.role}` is not a role of the protocol `{pack.id}`",
                f"use one of {listed}; describe the job in `description`",
            )
    for index, contact in enumerate(isa.contacts):
        if contact.role not in known:
            yield Issue(
                ("contacts", index, "role"),
                f"`{contact.role}` is not a role of the protocol `{pack.id}`",
                f"use one of {listed}",
            )


@rule(
    RuleId.GRANT_OUTSIDE_AGREEMENT,
    Severity.ERROR,
    "Principle 7",
    checks="the matrix grants only categories the agreement lists",
    fix="add the category to `data_categories`, or remove it from the row",
)
def grant_outside_agreement(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    listed = set(isa.data_categories)
    for row_index, row in enumerate(isa.need_to_know):
        for index, category in enumerate(row.categories):
            if category not in listed:
                yield Issue(
                    ("need_to_know", row_index, "categories", index),
                    f"the row grants `{category}`, which the agreement does not share",
                    f"remove `{category}` from the row, or add it to `data_categories` if "
                    "the agreement is meant to share it",
                )


@rule(
    RuleId.GRANT_TO_NON_RECIPIENT,
    Severity.ERROR,
    "Procedure B7",
    checks="the matrix grants only to parties that receive",
    fix="grant to a receiving party, or set the party's `does` to `receives` or `both`",
)
def grant_to_non_recipient(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    for index, row in enumerate(isa.need_to_know):
        party = isa.party(row.organisation)
        if party is None:
            yield Issue(
                ("need_to_know", index, "organisation"),
                f"`{row.organisation}` is granted access but is not a party to the agreement",
                f"add `{row.organisation}` as a party, or remove the row",
            )
        elif not party.receives:
            yield Issue(
                ("need_to_know", index, "organisation"),
                f"`{row.organisation}` is granted access but only provides under the agreement",
                f"set `does: both` for `{row.organisation}`, or remove the row",
            )


@rule(
    RuleId.GRANT_FOR_OTHER_PURPOSE,
    Severity.ERROR,
    "Principle 9",
    checks="a matrix row serves only purposes the agreement names",
    fix="remove the purpose from the row, or add it to the agreement's purposes",
)
def grant_for_other_purpose(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    agreed = {p.purpose for p in isa.purposes}
    for row_index, row in enumerate(isa.need_to_know):
        for index, purpose in enumerate(row.purposes):
            if purpose not in agreed:
                yield Issue(
                    ("need_to_know", row_index, "purposes", index),
                    f"the row grants access for `{purpose}`, which is not a purpose of the "
                    "agreement",
                    f"remove `{purpose}` from the row; information shared for one purpose is "
                    "not used for another",
                )


@rule(
    RuleId.ROLE_GRANTED_EVERYTHING,
    Severity.WARNING,
    "Principle 7",
    checks=f"no role at a party gets every one of {EVERYTHING_FROM}+ identifiable categories",
    fix="grant each role only the categories it needs",
)
def role_granted_everything(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    listed = set(isa.data_categories)
    if len(listed) < EVERYTHING_FROM or isa.anonymised_only:
        return  # anonymised tables identify nobody, so receiving all of them reveals nobody
    granted: dict[tuple[str, str], set[str]] = {}
    first_row: dict[tuple[str, str], int] = {}
    for index, row in enumerate(isa.need_to_know):
        key = (row.organisation, row.role)
        granted.setdefault(key, set()).update(row.categories)
        first_row.setdefault(key, index)
    for key, categories in granted.items():
        if listed <= categories:
            organisation, role = key
            yield Issue(
                ("need_to_know", first_row[key], "categories"),
                f"`{role}` at `{organisation}` is granted every category the agreement shares",
                "grant only the minimum the role needs for its purpose; split the row by job "
                "if different staff need different things",
            )


@rule(
    RuleId.RECIPIENT_WITHOUT_GRANT,
    Severity.WARNING,
    "Procedure B7",
    checks="every receiving party has at least one row in the matrix",
    fix="add a row for the party, or set it to `does: provides`",
)
def recipient_without_grant(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if isa.anonymised_only:
        return
    granted = {row.organisation for row in isa.need_to_know}
    for index, party in enumerate(isa.parties):
        if party.receives and party.organisation not in granted:
            yield Issue(
                ("parties", index, "does"),
                f"`{party.organisation}` receives under the agreement, but no role there is "
                "granted anything, so it receives nothing",
                f"add a `need_to_know` row for `{party.organisation}`, or set `does: provides`",
            )


@rule(
    RuleId.UNUSED_CATEGORY,
    Severity.WARNING,
    "Principle 7",
    checks="every category the agreement lists is granted to some role",
    fix="remove the category, or grant it to the role that needs it",
)
def unused_category(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if not isa.need_to_know:
        return
    granted = {c for row in isa.need_to_know for c in row.categories}
    for index, category in enumerate(isa.data_categories):
        if category not in granted:
            yield Issue(
                ("data_categories", index),
                f"`{category}` is listed but no role is granted it",
                f"remove `{category}` from `data_categories`, or grant it to the role that "
                "needs it",
            )


RULES = (
    no_need_to_know_matrix,
    unknown_category,
    unknown_role,
    grant_outside_agreement,
    grant_to_non_recipient,
    grant_for_other_purpose,
    role_granted_everything,
    recipient_without_grant,
    unused_category,
)
