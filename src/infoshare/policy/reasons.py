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
    return Reason(code=code, clause=CLAUSES[code], message=message, refs=tuple(refs))
