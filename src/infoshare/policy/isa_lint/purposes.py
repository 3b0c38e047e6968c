"""Lint rules about an agreement's purposes (Section 2.1, Principle 11).

Information is shared only for the purposes of Section 2.1, and identifiable information
only where the purpose clearly requires it; otherwise it is anonymised (Principle 11).
"""

from __future__ import annotations

from collections.abc import Iterator

from infoshare.domain.agreement import ConsentModel, InformationSharingAgreement
from infoshare.policy.isa_lint.rule import Issue, LintContext, RuleId, Severity, rule
from infoshare.policy.isa_lint.scope import row_purposes
from infoshare.protocol.schema import ProtocolPack


@rule(
    RuleId.UNKNOWN_PURPOSE,
    Severity.ERROR,
    "Section 2.1",
    checks="every purpose is one the protocol allows sharing for",
    fix="use a purpose id from the pack; the protocol allows no other purpose",
)
def unknown_purpose(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    known = [p.id for p in pack.purposes]
    for index, agreed in enumerate(isa.purposes):
        if agreed.purpose not in known:
            yield Issue(
                ("purposes", index, "purpose"),
                f"`{agreed.purpose}` is not a purpose of the protocol `{pack.id}`",
                f"use one of {', '.join(f'`{k}`' for k in known)}",
            )
    if not isa.purposes:
        yield Issue(
            ("purposes",),
            "the agreement names no purpose, and information may only be shared for one",
            "add the purposes of Section 2.1 the sharing serves",
        )


@rule(
    RuleId.DUPLICATE_PURPOSE,
    Severity.ERROR,
    "Section 2.1",
    checks="each purpose is listed once, with one consent model and one set of grounds",
    fix="merge the entries into one",
)
def duplicate_purpose(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    seen: set[str] = set()
    for index, agreed in enumerate(isa.purposes):
        if agreed.purpose in seen:
            yield Issue(
                ("purposes", index, "purpose"),
                f"`{agreed.purpose}` is listed more than once, so its basis is ambiguous",
                "keep one entry for the purpose, with its consent model and legal grounds",
            )
        seen.add(agreed.purpose)


@rule(
    RuleId.IDENTIFIABLE_FOR_ANONYMISED_PURPOSE,
    Severity.ERROR,
    "Principle 11",
    checks="a purpose that does not need identity shares anonymised information only",
    fix="set `consent_model: anonymised-only` for the purpose",
)
def identifiable_for_anonymised_purpose(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    anonymous = {p.id for p in pack.purposes if not p.needs_identifiable_data}
    for index, agreed in enumerate(isa.purposes):
        if agreed.purpose in anonymous and agreed.consent_model is not ConsentModel.ANONYMISED_ONLY:
            yield Issue(
                ("purposes", index, "consent_model"),
                f"`{agreed.purpose}` does not need identifiable information, but the agreement "
                f"shares it on `{agreed.consent_model}`",
                "set `consent_model: anonymised-only`; information about individual cases is "
                "anonymised for this purpose",
            )


@rule(
    RuleId.IDENTIFYING_CATEGORY_WHEN_ANONYMISED,
    Severity.ERROR,
    "Principle 11",
    checks="anonymised-only sharing lists and grants no identifying category",
    fix="remove identifying categories (names, numbers, addresses) from what is shared",
)
def identifying_category_when_anonymised(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    identifying = {c.id for c in pack.data_categories if c.identifying}
    anonymised = {
        p.purpose for p in isa.purposes if p.consent_model is ConsentModel.ANONYMISED_ONLY
    }
    if isa.anonymised_only:
        for index, category in enumerate(isa.data_categories):
            if category in identifying:
                yield Issue(
                    ("data_categories", index),
                    f"`{category}` identifies people, but every purpose of the agreement is "
                    "anonymised-only",
                    f"remove `{category}`; share counts or anonymised records instead (B8)",
                )
        return
    for row_index, row in enumerate(isa.need_to_know):
        purposes = row_purposes(isa, row)
        if not purposes or not all(p in anonymised for p in purposes):
            continue
        for index, category in enumerate(row.categories):
            if category in identifying:
                yield Issue(
                    ("need_to_know", row_index, "categories", index),
                    f"`{category}` identifies people, but the row serves anonymised-only "
                    f"purposes ({', '.join(purposes)})",
                    f"remove `{category}` from the row",
                )


@rule(
    RuleId.PURPOSE_WITHOUT_JUSTIFICATION,
    Severity.WARNING,
    "Principle 11",
    checks="a purpose that shares identifiable information says why it must",
    fix="write in `justification` why the purpose needs identifiable information",
)
def purpose_without_justification(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    for index, agreed in enumerate(isa.purposes):
        identifiable = agreed.consent_model is not ConsentModel.ANONYMISED_ONLY
        if identifiable and agreed.justification is None:
            yield Issue(
                ("purposes", index, "justification"),
                f"`{agreed.purpose}` shares identifiable information without saying why it must",
                "add a `justification`: why the purpose clearly requires identifiable information",
            )


RULES = (
    unknown_purpose,
    duplicate_purpose,
    identifiable_for_anonymised_purpose,
    identifying_category_when_anonymised,
    purpose_without_justification,
)
