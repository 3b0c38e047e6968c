"""Why a rule decided as it did: reason codes, the clause each cites, and the Reason itself.

Every finding of the policy core explains itself with a Reason: a stable code, the clause of
the protocol it applies ("Principle 5", "Procedure A4") and a sentence a practitioner
understands. A code always cites the same clause, so the clause comes from one table,
``CLAUSES``, never from the place that raises the reason.

Other checks (need-to-know, agreements, training, …) add their codes to ``ReasonCode`` and
their clauses to ``CLAUSES``; ``tests/policy/test_reasons.py`` fails while any code lacks one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from infoshare.policy.frozen import quick_init


class ReasonCode(StrEnum):
    """What a rule found, as a stable kebab-case code."""

    # consent: checking for consent when sharing (A4)
    CONSENT_COVERS = "consent-covers"
    NO_CONSENT = "no-consent"
    CONSENT_REFUSED = "consent-refused"
    CONSENT_WITHDRAWN = "consent-withdrawn"
    CONSENT_EXPIRED = "consent-expired"
    CONSENT_NOT_YET_VALID = "consent-not-yet-valid"
    CONSENT_SUPERSEDED = "consent-superseded"
    CONSENT_NOT_INFORMED = "consent-not-informed"
    PURPOSE_OUT_OF_SCOPE = "purpose-out-of-scope"
    RECIPIENT_OUT_OF_SCOPE = "recipient-out-of-scope"
    CATEGORY_OUT_OF_SCOPE = "category-out-of-scope"
    # consent: limits the person set when giving it (A1)
    CATEGORY_EXCLUDED = "category-excluded"
    RECIPIENT_EXCLUDED = "recipient-excluded"
    PURPOSE_EXCLUDED = "purpose-excluded"
    # fitness to consent (A2)
    CAPACITY_PRESUMED = "capacity-presumed"
    CAPACITY_ASSESSED = "capacity-assessed"
    LACKS_CAPACITY = "lacks-capacity"
    CHILD_WITHOUT_COMPETENCE_ASSESSMENT = "child-without-competence-assessment"
    AGE_UNKNOWN = "age-unknown"
    REPRESENTATIVE_WITHOUT_AUTHORITY = "representative-without-authority"
    SUBJECT_DECIDES_FOR_THEMSELVES = "subject-decides-for-themselves"
    # decision: the request itself and failing closed (Principle 4)
    MALFORMED_REQUEST = "malformed-request"
    DECISION_FAILED = "decision-failed"
    # decision: who asks (Principle 14, Procedure C1)
    UNKNOWN_REQUESTER = "unknown-requester"
    REQUESTER_INACTIVE = "requester-inactive"
    REQUESTER_NOT_TRAINED = "requester-not-trained"
    TRAINING_LAPSED = "training-lapsed"
    REQUESTER_NOT_INVOLVED = "requester-not-involved"
    REQUESTER_AUTHORISED = "requester-authorised"
    PARTY_NOT_ADOPTED = "party-not-adopted"
    NOT_A_PARTY = "not-a-party"
    UNKNOWN_ORGANISATION = "unknown-organisation"
    # decision: the purpose and the agreement (Sections 1.1, 2.1, 3.1; Principle 11)
    UNKNOWN_PURPOSE = "unknown-purpose"
    NO_AGREEMENT = "no-agreement"
    UNKNOWN_AGREEMENT = "unknown-agreement"
    AGREEMENT_NOT_IN_FORCE = "agreement-not-in-force"
    AGREEMENT_COVERS = "agreement-covers"
    CATEGORY_NOT_AGREED = "category-not-agreed"
    UNKNOWN_CATEGORY = "unknown-category"
    ANONYMISED_ONLY = "anonymised-only"
    IDENTIFYING_WITHHELD = "identifying-withheld"
    # decision: need to know (Principle 7, Procedure B7)
    NEED_TO_KNOW = "need-to-know"
    NOT_NEEDED = "not-needed"
    RECIPIENT_ROLE_MISSING = "recipient-role-missing"
    NOTHING_TO_SHARE = "nothing-to-share"
    # decision: restrictions, objections and confidentiality (Principles 2, 4, 5, 8)
    STATUTORY_RESTRICTION = "statutory-restriction"
    SUBJECT_RESTRICTION = "subject-restriction"
    SUBJECT_OBJECTED = "subject-objected"
    CONFIDENTIAL_FROM_SUBJECT = "confidential-from-subject"
    CONFIDENTIALITY_WITHOUT_GROUND = "confidentiality-without-ground"
    # decision: sharing without consent (Principles 5, 6; Procedure A5)
    AGREEMENT_REQUIRES_CONSENT = "agreement-requires-consent"
    STATUTORY_GROUND_APPLIES = "statutory-ground-applies"
    GROUND_NOT_IN_AGREEMENT = "ground-not-in-agreement"
    GROUND_DOES_NOT_APPLY = "ground-does-not-apply"
    GROUND_NOT_FOR_SENSITIVE_DATA = "ground-not-for-sensitive-data"
    NO_GROUND_CLAIMED = "no-ground-claimed"
    JUSTIFICATION_MISSING = "justification-missing"
    REFERRAL_NEEDED = "referral-needed"
    REFUSAL_RAISES_BAR = "refusal-raises-bar"
    APPROVED = "approved"
    APPROVAL_INVALID = "approval-invalid"
    NOT_APPROVED = "not-approved"
    SELF_APPROVAL = "self-approval"
    VITAL_INTERESTS = "vital-interests"
    EMERGENCY_REASON_MISSING = "emergency-reason-missing"
    EMERGENCY_NOT_FOR_PURPOSE = "emergency-not-for-purpose"
    # decision: onward use (Principle 9, Procedure B6)
    ONWARD_SAME_PURPOSE = "onward-same-purpose"
    ONWARD_NEW_PURPOSE = "onward-new-purpose"
    ONWARD_NOT_RECEIVED = "onward-not-received"
    ONWARD_NOT_HOLDER = "onward-not-holder"
    # decision: how it is sent (Procedures B1–B5)
    TRANSFER_AGREED = "transfer-agreed"
    TRANSFER_NOT_AGREED = "transfer-not-agreed"


#: the clause each code applies; a code always cites the same clause
CLAUSES: Final[Mapping[ReasonCode, str]] = MappingProxyType(
    {
        ReasonCode.CONSENT_COVERS: "Procedure A4",
        ReasonCode.NO_CONSENT: "Procedure A4",
        ReasonCode.CONSENT_REFUSED: "Principle 5",
        ReasonCode.CONSENT_WITHDRAWN: "Procedure A4",
        ReasonCode.CONSENT_EXPIRED: "Procedure A4",
        ReasonCode.CONSENT_NOT_YET_VALID: "Procedure A4",
        ReasonCode.CONSENT_SUPERSEDED: "Procedure A3",
        ReasonCode.CONSENT_NOT_INFORMED: "Principle 5",
        ReasonCode.PURPOSE_OUT_OF_SCOPE: "Principle 5",
        ReasonCode.RECIPIENT_OUT_OF_SCOPE: "Procedure A4",
        ReasonCode.CATEGORY_OUT_OF_SCOPE: "Procedure A4",
        ReasonCode.CATEGORY_EXCLUDED: "Procedure A1",
        ReasonCode.RECIPIENT_EXCLUDED: "Procedure A1",
        ReasonCode.PURPOSE_EXCLUDED: "Procedure A1",
        ReasonCode.CAPACITY_PRESUMED: "Procedure A2",
        ReasonCode.CAPACITY_ASSESSED: "Procedure A2",
        ReasonCode.LACKS_CAPACITY: "Procedure A2",
        ReasonCode.CHILD_WITHOUT_COMPETENCE_ASSESSMENT: "Procedure A2",
        ReasonCode.AGE_UNKNOWN: "Procedure A2",
        ReasonCode.REPRESENTATIVE_WITHOUT_AUTHORITY: "Procedure A2",
        ReasonCode.SUBJECT_DECIDES_FOR_THEMSELVES: "Procedure A2",
        ReasonCode.MALFORMED_REQUEST: "Principle 4",
        ReasonCode.DECISION_FAILED: "Principle 4",
        ReasonCode.UNKNOWN_REQUESTER: "Principle 14",
        ReasonCode.REQUESTER_INACTIVE: "Principle 14",
        ReasonCode.REQUESTER_NOT_TRAINED: "Principle 14",
        ReasonCode.TRAINING_LAPSED: "Principle 14",
        ReasonCode.REQUESTER_NOT_INVOLVED: "Principle 7",
        ReasonCode.REQUESTER_AUTHORISED: "Principle 14",
        ReasonCode.PARTY_NOT_ADOPTED: "Procedure C1",
        ReasonCode.NOT_A_PARTY: "Section 1.2",
        ReasonCode.UNKNOWN_ORGANISATION: "Section 1.2",
        ReasonCode.UNKNOWN_PURPOSE: "Section 2.1",
        ReasonCode.NO_AGREEMENT: "Section 3.1",
        ReasonCode.UNKNOWN_AGREEMENT: "Section 3.1",
        ReasonCode.AGREEMENT_NOT_IN_FORCE: "Section 3.1",
        ReasonCode.AGREEMENT_COVERS: "Section 3.1",
        ReasonCode.CATEGORY_NOT_AGREED: "Section 3.1",
        ReasonCode.UNKNOWN_CATEGORY: "Principle 7",
        ReasonCode.ANONYMISED_ONLY: "Principle 11",
        ReasonCode.IDENTIFYING_WITHHELD: "Procedure B8",
        ReasonCode.NEED_TO_KNOW: "Principle 7",
        ReasonCode.NOT_NEEDED: "Principle 7",
        ReasonCode.RECIPIENT_ROLE_MISSING: "Procedure B7",
        ReasonCode.NOTHING_TO_SHARE: "Principle 7",
        ReasonCode.STATUTORY_RESTRICTION: "Principle 2",
        ReasonCode.SUBJECT_RESTRICTION: "Principle 4",
        ReasonCode.SUBJECT_OBJECTED: "Principle 5",
        ReasonCode.CONFIDENTIAL_FROM_SUBJECT: "Principle 8",
        ReasonCode.CONFIDENTIALITY_WITHOUT_GROUND: "Principle 8",
        ReasonCode.AGREEMENT_REQUIRES_CONSENT: "Principle 5",
        ReasonCode.STATUTORY_GROUND_APPLIES: "Procedure A5",
        ReasonCode.GROUND_NOT_IN_AGREEMENT: "Procedure A5",
        ReasonCode.GROUND_DOES_NOT_APPLY: "Procedure A5",
        ReasonCode.GROUND_NOT_FOR_SENSITIVE_DATA: "Procedure A5",
        ReasonCode.NO_GROUND_CLAIMED: "Procedure A5",
        ReasonCode.JUSTIFICATION_MISSING: "Principle 6",
        ReasonCode.REFERRAL_NEEDED: "Procedure A5",
        ReasonCode.REFUSAL_RAISES_BAR: "Principle 5",
        ReasonCode.APPROVED: "Procedure A5",
        ReasonCode.APPROVAL_INVALID: "Procedure A5",
        ReasonCode.NOT_APPROVED: "Procedure A5",
        ReasonCode.SELF_APPROVAL: "Procedure A5",
        ReasonCode.VITAL_INTERESTS: "Procedure A5",
        ReasonCode.EMERGENCY_REASON_MISSING: "Procedure A5",
        ReasonCode.EMERGENCY_NOT_FOR_PURPOSE: "Procedure A5",
        ReasonCode.ONWARD_SAME_PURPOSE: "Principle 9",
        ReasonCode.ONWARD_NEW_PURPOSE: "Procedure B6",
        ReasonCode.ONWARD_NOT_RECEIVED: "Principle 9",
        ReasonCode.ONWARD_NOT_HOLDER: "Principle 9",
        ReasonCode.TRANSFER_AGREED: "Procedure B1",
        ReasonCode.TRANSFER_NOT_AGREED: "Procedure B1",
    }
)


#: the codes the consent check (Procedures A1–A4) and the fitness rules (A2) give
CONSENT_CODES: Final = frozenset(
    {
        ReasonCode.CONSENT_COVERS,
        ReasonCode.NO_CONSENT,
        ReasonCode.CONSENT_REFUSED,
        ReasonCode.CONSENT_WITHDRAWN,
        ReasonCode.CONSENT_EXPIRED,
        ReasonCode.CONSENT_NOT_YET_VALID,
        ReasonCode.CONSENT_SUPERSEDED,
        ReasonCode.CONSENT_NOT_INFORMED,
        ReasonCode.PURPOSE_OUT_OF_SCOPE,
        ReasonCode.RECIPIENT_OUT_OF_SCOPE,
        ReasonCode.CATEGORY_OUT_OF_SCOPE,
        ReasonCode.CATEGORY_EXCLUDED,
        ReasonCode.RECIPIENT_EXCLUDED,
        ReasonCode.PURPOSE_EXCLUDED,
        ReasonCode.CAPACITY_PRESUMED,
        ReasonCode.CAPACITY_ASSESSED,
        ReasonCode.LACKS_CAPACITY,
        ReasonCode.CHILD_WITHOUT_COMPETENCE_ASSESSMENT,
        ReasonCode.AGE_UNKNOWN,
        ReasonCode.REPRESENTATIVE_WITHOUT_AUTHORITY,
        ReasonCode.SUBJECT_DECIDES_FOR_THEMSELVES,
    }
)


@quick_init
@dataclass(frozen=True, slots=True)
class Reason:
    """One finding: what was found, the clause it applies, and what it means for the user.

    ``refs`` names the records the finding rests on (consent or assessment ids), so an
    explanation can link to them and an auditor can find them.
    """

    code: ReasonCode
    clause: str
    message: str
    refs: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.message} ({self.clause})"


def reason(code: ReasonCode, message: str, *refs: str) -> Reason:
    """A Reason for ``code``, citing the clause ``CLAUSES`` gives it."""
    return Reason(code, _CLAUSE_OF_VALUE[code._value_], message, refs)


#: ``CLAUSES`` by the codes' text: a decision makes many reasons, and hashing a plain string
#: is cheaper than hashing an enum member
_CLAUSE_OF_VALUE: Final[Mapping[str, str]] = {code.value: c for code, c in CLAUSES.items()}


#: the codes the disclosure decision (``infoshare.policy.decide``) adds to the consent codes
DECISION_CODES: Final = frozenset(
    {
        ReasonCode.MALFORMED_REQUEST,
        ReasonCode.DECISION_FAILED,
        ReasonCode.UNKNOWN_REQUESTER,
        ReasonCode.REQUESTER_INACTIVE,
        ReasonCode.REQUESTER_NOT_TRAINED,
        ReasonCode.TRAINING_LAPSED,
        ReasonCode.REQUESTER_NOT_INVOLVED,
        ReasonCode.REQUESTER_AUTHORISED,
        ReasonCode.PARTY_NOT_ADOPTED,
        ReasonCode.NOT_A_PARTY,
        ReasonCode.UNKNOWN_ORGANISATION,
        ReasonCode.UNKNOWN_PURPOSE,
        ReasonCode.NO_AGREEMENT,
        ReasonCode.UNKNOWN_AGREEMENT,
        ReasonCode.AGREEMENT_NOT_IN_FORCE,
        ReasonCode.AGREEMENT_COVERS,
        ReasonCode.CATEGORY_NOT_AGREED,
        ReasonCode.UNKNOWN_CATEGORY,
        ReasonCode.ANONYMISED_ONLY,
        ReasonCode.IDENTIFYING_WITHHELD,
        ReasonCode.NEED_TO_KNOW,
        ReasonCode.NOT_NEEDED,
        ReasonCode.RECIPIENT_ROLE_MISSING,
        ReasonCode.NOTHING_TO_SHARE,
        ReasonCode.STATUTORY_RESTRICTION,
        ReasonCode.SUBJECT_RESTRICTION,
        ReasonCode.SUBJECT_OBJECTED,
        ReasonCode.CONFIDENTIAL_FROM_SUBJECT,
        ReasonCode.CONFIDENTIALITY_WITHOUT_GROUND,
        ReasonCode.AGREEMENT_REQUIRES_CONSENT,
        ReasonCode.STATUTORY_GROUND_APPLIES,
        ReasonCode.GROUND_NOT_IN_AGREEMENT,
        ReasonCode.GROUND_DOES_NOT_APPLY,
        ReasonCode.GROUND_NOT_FOR_SENSITIVE_DATA,
        ReasonCode.NO_GROUND_CLAIMED,
        ReasonCode.JUSTIFICATION_MISSING,
        ReasonCode.REFERRAL_NEEDED,
        ReasonCode.REFUSAL_RAISES_BAR,
        ReasonCode.APPROVED,
        ReasonCode.APPROVAL_INVALID,
        ReasonCode.NOT_APPROVED,
        ReasonCode.SELF_APPROVAL,
        ReasonCode.VITAL_INTERESTS,
        ReasonCode.EMERGENCY_REASON_MISSING,
        ReasonCode.EMERGENCY_NOT_FOR_PURPOSE,
        ReasonCode.ONWARD_SAME_PURPOSE,
        ReasonCode.ONWARD_NEW_PURPOSE,
        ReasonCode.ONWARD_NOT_RECEIVED,
        ReasonCode.ONWARD_NOT_HOLDER,
        ReasonCode.TRANSFER_AGREED,
        ReasonCode.TRANSFER_NOT_AGREED,
    }
)
