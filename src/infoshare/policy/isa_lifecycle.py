"""The life of an Information Sharing Agreement: draft to proposed, signed, active, reviewed,
expired or terminated; an amendment is a new version (Sections 1.1, 3.1, 4.4).

Each step is a pure function from an agreement (and the facts it needs) to the agreement
after the step, or an ``AgreementStateError`` saying why the step is not allowed. The
shell stores the result and writes the ledger entry. Activation runs the lint itself, so no
caller can activate an agreement the lint would refuse.

    draft ──propose──▶ proposed ──sign (every party)──▶ signed ──activate──▶ active
      ▲                   │                                                  │  ▲
      └──return-to-draft──┘                              mark-review-due     ▼  │ record-review
                                                                         review-due
    active or review-due ──expire──▶ expired;   ──supersede──▶ superseded (by a new version)
    any unfinished status ──terminate──▶ terminated
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from infoshare.domain.agreement import (
    InformationSharingAgreement,
    IsaStatus,
    Signatory,
    VersionEntry,
)
from infoshare.errors import AgreementNotReadyError, AgreementStateError
from infoshare.policy.isa_lint import LintContext, errors, lint
from infoshare.protocol.schema import ProtocolPack


class IsaAction(StrEnum):
    PROPOSE = "propose"
    RETURN_TO_DRAFT = "return-to-draft"
    SIGN = "sign"
    ACTIVATE = "activate"
    MARK_REVIEW_DUE = "mark-review-due"
    RECORD_REVIEW = "record-review"
    EXPIRE = "expire"
    TERMINATE = "terminate"
    SUPERSEDE = "supersede"


S, A = IsaStatus, IsaAction

#: which action each status allows, and the status it leads to; signing leads to
#: ``signed`` only once every party has signed
TRANSITIONS: dict[IsaStatus, dict[IsaAction, IsaStatus]] = {
    S.DRAFT: {A.PROPOSE: S.PROPOSED, A.TERMINATE: S.TERMINATED},
    S.PROPOSED: {
        A.RETURN_TO_DRAFT: S.DRAFT,
        A.SIGN: S.SIGNED,
        A.TERMINATE: S.TERMINATED,
    },
    S.SIGNED: {A.ACTIVATE: S.ACTIVE, A.TERMINATE: S.TERMINATED},
    S.ACTIVE: {
        A.MARK_REVIEW_DUE: S.REVIEW_DUE,
        A.RECORD_REVIEW: S.ACTIVE,
        A.EXPIRE: S.EXPIRED,
        A.TERMINATE: S.TERMINATED,
        A.SUPERSEDE: S.SUPERSEDED,
    },
    S.REVIEW_DUE: {
        A.RECORD_REVIEW: S.ACTIVE,
        A.EXPIRE: S.EXPIRED,
        A.TERMINATE: S.TERMINATED,
        A.SUPERSEDE: S.SUPERSEDED,
    },
    S.EXPIRED: {},
    S.TERMINATED: {},
    S.SUPERSEDED: {},
}


def next_status(status: IsaStatus, action: IsaAction) -> IsaStatus:
    """The status ``action`` leads to from ``status``; ``AgreementStateError`` if not allowed."""
    allowed = TRANSITIONS[status]
    if action not in allowed:
        can = ", ".join(f"`{a}`" for a in allowed) or "nothing: it is finished"
        raise AgreementStateError(
            f"an agreement that is `{status}` cannot `{action}`; it can {can}", field="status"
        )
    return allowed[action]


def propose(isa: InformationSharingAgreement) -> InformationSharingAgreement:
    """Send a draft to the parties for signature."""
    return _moved(isa, IsaAction.PROPOSE)


def return_to_draft(isa: InformationSharingAgreement) -> InformationSharingAgreement:
    """Take a proposed agreement back for changes; signatures already given are withdrawn."""
    status = next_status(isa.status, IsaAction.RETURN_TO_DRAFT)
    unsigned = [s.model_copy(update={"signed_at": None}) for s in isa.signatories]
    return isa.model_copy(update={"status": status, "signatories": unsigned})


def sign(
    isa: InformationSharingAgreement, organisation: str, name: str, post: str, on: date
) -> InformationSharingAgreement:
    """Record ``name``'s signature for ``organisation``; ``signed`` once every party has signed.

    Signing twice for a party, or for an organisation that is not a party, is refused.
    """
    next_status(isa.status, IsaAction.SIGN)
    if isa.party(organisation) is None:
        raise AgreementStateError(
            f"`{organisation}` is not a party to `{isa.reference}`, so cannot sign it; "
            f"the parties are {', '.join(isa.party_codes)}",
            field="organisation",
        )
    if isa.has_signed(organisation):
        raise AgreementStateError(
            f"`{organisation}` has already signed `{isa.reference}` version {isa.version}; "
            "a party signs once per version",
            field="organisation",
        )
    signature = Signatory(organisation=organisation, name=name, post=post, signed_at=on)
    signatories = list(isa.signatories)
    # The signatory named in advance for the party is replaced by whoever actually signed.
    named = next((i for i, s in enumerate(signatories) if s.organisation == organisation), None)
    if named is None:
        signatories.append(signature)
    else:
        signatories[named] = signature
    signed = isa.model_copy(update={"signatories": signatories})
    if not signed.unsigned_parties:
        signed = signed.model_copy(update={"status": IsaStatus.SIGNED})
    return signed


def activate(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> InformationSharingAgreement:
    """Put a signed agreement in force, if every party signed and the lint finds no error."""
    status = next_status(isa.status, IsaAction.ACTIVATE)
    reasons = [f"`{code}` has not signed" for code in isa.unsigned_parties]
    reasons += [f"{f.rule_id} {f.field}: {f.message}" for f in errors(lint(isa, pack, context))]
    if reasons:
        raise AgreementNotReadyError(
            f"`{isa.reference}` cannot be activated: {len(reasons)} problem(s); fix them "
            "(`infoshare isa lint` lists them) and try again",
            reasons,
        )
    return isa.model_copy(update={"status": status})


def mark_review_due(isa: InformationSharingAgreement, today: date) -> InformationSharingAgreement:
    """Flag an active agreement whose review date has come (Section 4.4)."""
    if today < isa.review_date:
        raise AgreementStateError(
            f"`{isa.reference}` is not due for review until {isa.review_date}",
            field="review_date",
        )
    return _moved(isa, IsaAction.MARK_REVIEW_DUE)


def record_review(
    isa: InformationSharingAgreement, reviewed_on: date, next_review: date
) -> InformationSharingAgreement:
    """Record a review that changed nothing; the agreement stays in force until the next."""
    status = next_status(isa.status, IsaAction.RECORD_REVIEW)
    if next_review <= reviewed_on:
        raise AgreementStateError(
            f"the next review ({next_review}) must come after this one ({reviewed_on})",
            field="review_date",
        )
    return isa.model_copy(
        update={"status": status, "reviewed_on": reviewed_on, "review_date": next_review}
    )


def expire(isa: InformationSharingAgreement, today: date) -> InformationSharingAgreement:
    """End an agreement whose end date has passed."""
    if isa.end_date is None or today < isa.end_date:
        raise AgreementStateError(
            f"`{isa.reference}` has not reached an end date; terminate it to end it early",
            field="end_date",
        )
    return _moved(isa, IsaAction.EXPIRE)


def terminate(isa: InformationSharingAgreement) -> InformationSharingAgreement:
    """End an agreement before its time, or abandon one never in force."""
    return _moved(isa, IsaAction.TERMINATE)


def supersede(isa: InformationSharingAgreement) -> InformationSharingAgreement:
    """Retire a version replaced by a newer one; it stays readable."""
    return _moved(isa, IsaAction.SUPERSEDE)


def amend(
    isa: InformationSharingAgreement, dated: date, summary: str
) -> InformationSharingAgreement:
    """Start the next version as a draft: unsigned, with the history extended.

    The current version is untouched (it stays in force until the new one is activated and
    it is superseded).
    """
    if isa.status in (IsaStatus.EXPIRED, IsaStatus.TERMINATED, IsaStatus.SUPERSEDED):
        raise AgreementStateError(
            f"`{isa.reference}` version {isa.version} is `{isa.status}`; amend the latest "
            "version in force",
            field="status",
        )
    history = list(isa.history) or [
        VersionEntry(version=isa.version, dated=isa.start_date, summary="the version amended")
    ]
    version = isa.version + 1
    history.append(VersionEntry(version=version, dated=dated, summary=summary))
    unsigned = [s.model_copy(update={"signed_at": None}) for s in isa.signatories]
    return isa.model_copy(
        update={
            "version": version,
            "status": IsaStatus.DRAFT,
            "signatories": unsigned,
            "history": history,
        }
    )


def _moved(isa: InformationSharingAgreement, action: IsaAction) -> InformationSharingAgreement:
    return isa.model_copy(update={"status": next_status(isa.status, action)})
