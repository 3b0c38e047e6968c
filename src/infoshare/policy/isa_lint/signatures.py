"""Lint rules about who has signed an agreement (Section 1.1).

An agreement binds the parties that sign it: each party needs a signatory, signatures come
from parties only and not from the future, and an agreement recorded as signed or in
force has every party's signature.
"""

from __future__ import annotations

from collections.abc import Iterator

from infoshare.domain.agreement import InformationSharingAgreement, IsaStatus
from infoshare.policy.isa_lint.rule import Issue, LintContext, RuleId, Severity, rule
from infoshare.protocol.schema import ProtocolPack

#: statuses that claim every party has signed
_SIGNED = {IsaStatus.SIGNED, IsaStatus.ACTIVE, IsaStatus.REVIEW_DUE}


@rule(
    RuleId.PARTY_WITHOUT_SIGNATORY,
    Severity.ERROR,
    "Section 1.1",
    checks="every party names who signs for it",
    fix="add a `signatories` entry for the party: name and post",
)
def party_without_signatory(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    for index, code in enumerate(isa.party_codes):
        if not isa.signatories_for(code):
            yield Issue(
                ("parties", index, "organisation"),
                f"nobody is named to sign for `{code}`",
                f"add a `signatories` entry with `organisation: {code}`, the signatory's "
                "name and post (a lead member or Caldicott Guardian)",
            )


@rule(
    RuleId.SIGNATORY_NOT_A_PARTY,
    Severity.ERROR,
    "Section 1.1",
    checks="every signatory signs for a party",
    fix="remove the signatory, or add their organisation as a party",
)
def signatory_not_a_party(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    for index, signatory in enumerate(isa.signatories):
        if signatory.organisation not in isa.party_codes:
            yield Issue(
                ("signatories", index, "organisation"),
                f"`{signatory.name}` signs for `{signatory.organisation}`, which is not a party",
                f"remove the signatory, or add `{signatory.organisation}` as a party",
            )


@rule(
    RuleId.SIGNED_IN_FUTURE,
    Severity.ERROR,
    "Section 1.1",
    checks="no signature is dated after today",
    fix="correct `signed_at`, or leave it empty until the signatory signs",
)
def signed_in_future(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    for index, signatory in enumerate(isa.signatories):
        if signatory.signed_at is not None and signatory.signed_at > context.today:
            yield Issue(
                ("signatories", index, "signed_at"),
                f"`{signatory.name}` is recorded as signing on {signatory.signed_at}, after "
                f"today ({context.today})",
                "correct the date, or leave `signed_at` empty until they sign",
            )


@rule(
    RuleId.STATUS_WITHOUT_SIGNATURES,
    Severity.ERROR,
    "Section 1.1",
    checks="an agreement recorded as signed or in force has every party's signature",
    fix="collect the missing signatures, or set `status` back to `proposed`",
)
def status_without_signatures(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if isa.status in _SIGNED and isa.unsigned_parties:
        missing = ", ".join(f"`{code}`" for code in isa.unsigned_parties)
        yield Issue(
            ("status",),
            f"the agreement is recorded as `{isa.status}` but {missing} has not signed",
            "record each party's signature (`signed_at`), or set `status: proposed`",
        )


RULES = (
    party_without_signatory,
    signatory_not_a_party,
    signed_in_future,
    status_without_signatures,
)
