"""The vocabulary of the ISA lint: severities, rule ids, findings, rules and their context.

A finding says what is wrong with an agreement, where (the field), which clause of the
protocol it breaks, and how to fix it. An error blocks activation; a warning does not
(Section 1.1: "All ISAs will need to be fully compliant and consistent with this Protocol").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from infoshare.domain.agreement import InformationSharingAgreement
from infoshare.protocol.schema import ProtocolPack
from infoshare.protocol.validate import render_path

FieldPath = tuple[str | int, ...]


class Severity(StrEnum):
    #: blocks activation
    ERROR = "error"
    #: worth fixing; does not block activation
    WARNING = "warning"


class RuleId(StrEnum):
    """Stable ids of the lint's rules; the member name, in kebab case, is the rule's name."""

    PROTOCOL_MISMATCH = "ISA001"
    UNKNOWN_ORGANISATION = "ISA002"
    SUPPORTING_MEMBER = "ISA003"
    PARTY_NOT_ADOPTED = "ISA004"
    DUPLICATE_PARTY = "ISA005"
    NO_PROVIDER_OR_RECIPIENT = "ISA006"
    OWNER_NOT_A_PARTY = "ISA007"
    PARTY_WITHOUT_CONTACT = "ISA008"
    UNKNOWN_PURPOSE = "ISA009"
    DUPLICATE_PURPOSE = "ISA010"
    IDENTIFIABLE_FOR_ANONYMISED_PURPOSE = "ISA011"
    IDENTIFYING_CATEGORY_WHEN_ANONYMISED = "ISA012"
    PURPOSE_WITHOUT_JUSTIFICATION = "ISA013"
    PURPOSE_WITHOUT_LEGAL_GROUND = "ISA014"
    UNKNOWN_LEGAL_GROUND = "ISA015"
    GROUND_DOES_NOT_COVER_PURPOSE = "ISA016"
    GROUND_NOT_FOR_THESE_PARTIES = "ISA017"
    SENSITIVE_WITHOUT_CONDITION = "ISA018"
    CONSENT_OVERRIDE_WITHOUT_GROUND = "ISA019"
    STATUTORY_RESTRICTION = "ISA020"
    NO_NEED_TO_KNOW_MATRIX = "ISA021"
    UNKNOWN_CATEGORY = "ISA022"
    UNKNOWN_ROLE = "ISA023"
    GRANT_OUTSIDE_AGREEMENT = "ISA024"
    GRANT_TO_NON_RECIPIENT = "ISA025"
    GRANT_FOR_OTHER_PURPOSE = "ISA026"
    ROLE_GRANTED_EVERYTHING = "ISA027"
    RECIPIENT_WITHOUT_GRANT = "ISA028"
    UNUSED_CATEGORY = "ISA029"
    NO_TRANSFER_METHOD = "ISA030"
    UNKNOWN_TRANSFER_METHOD = "ISA031"
    MISSING_SAFEGUARDS = "ISA032"
    UNKNOWN_SAFEGUARD = "ISA033"
    PROCEDURE_NOT_CONFIRMED = "ISA034"
    NO_RETENTION = "ISA035"
    NO_SECURITY_ARRANGEMENTS = "ISA036"
    NO_DATA_QUALITY_ARRANGEMENTS = "ISA037"
    REPORTING_PARTY_UNKNOWN = "ISA038"
    REVIEW_TOO_FAR = "ISA039"
    REVIEW_OVERDUE = "ISA040"
    AGREEMENT_ENDED = "ISA041"
    REVIEW_AFTER_END = "ISA042"
    VERSION_HISTORY_INCONSISTENT = "ISA043"
    PARTY_WITHOUT_SIGNATORY = "ISA044"
    SIGNATORY_NOT_A_PARTY = "ISA045"
    SIGNED_IN_FUTURE = "ISA046"
    STATUS_WITHOUT_SIGNATURES = "ISA047"

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with an agreement: the rule, how bad, the clause, where, and the fix."""

    rule_id: RuleId
    severity: Severity
    #: the clause the rule applies, e.g. ``Principle 7`` or ``Procedure B2``
    clause: str
    #: where in the agreement: field names and list indexes, outermost first
    path: FieldPath
    message: str
    fix: str

    @property
    def field(self) -> str:
        """``purposes[0].legal_grounds``, or ``(agreement)`` for the agreement as a whole."""
        return render_path(self.path) or "(agreement)"

    @property
    def rule(self) -> str:
        return self.rule_id.slug

    @property
    def blocks_activation(self) -> bool:
        return self.severity is Severity.ERROR

    def as_dict(self) -> dict[str, str]:
        return {
            "rule_id": self.rule_id.value,
            "rule": self.rule,
            "severity": self.severity.value,
            "clause": self.clause,
            "field": self.field,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(frozen=True, slots=True)
class LintContext:
    """Facts the lint needs that are not in the agreement file. No clock: ``today`` is given."""

    today: date
    #: when parties approved the protocol (Procedure C1), beyond what the pack records;
    #: a date here overrides the pack's ``adoption`` for that organisation
    adopted_on: Mapping[str, date] = field(default_factory=dict)
    #: which standard procedures each party has confirmed adopting (Procedure C3);
    #: None when unknown, and then not checked
    confirmed_procedures: Mapping[str, frozenset[str]] | None = None

    def adoption_date(self, pack: ProtocolPack, code: str) -> date | None:
        """When ``code`` approved the protocol, if it has by ``today``; None if it has not."""
        when = self.adopted_on.get(code)
        if when is None:
            organisation = next((o for o in pack.organisations if o.code == code), None)
            if organisation is not None and organisation.adoption is not None:
                when = organisation.adoption.approved_on
        return when if when is not None and when <= self.today else None


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule's check yields; the rule adds its id and severity to make a Finding."""

    path: FieldPath
    message: str
    fix: str
    #: the clause, where it depends on the case (a transfer method's own procedure)
    clause: str | None = None


Check = Callable[[InformationSharingAgreement, ProtocolPack, LintContext], Iterable[Issue]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One lint rule: what it checks, the clause it applies, and how bad a breach is."""

    id: RuleId
    severity: Severity
    clause: str
    #: what the rule checks, one sentence, for docs/agreements.md and ``isa rules``
    checks: str
    #: how to fix a breach, in general; each finding says it for its own case
    fix: str
    check: Check

    @property
    def name(self) -> str:
        return self.id.slug

    def run(
        self, isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
    ) -> Iterator[Finding]:
        for issue in self.check(isa, pack, context):
            clause = issue.clause or self.clause
            yield Finding(self.id, self.severity, clause, issue.path, issue.message, issue.fix)


def rule(
    rule_id: RuleId, severity: Severity, clause: str, *, checks: str, fix: str
) -> Callable[[Check], Rule]:
    """Make the decorated check function a Rule."""

    def wrap(check: Check) -> Rule:
        return Rule(rule_id, severity, clause, checks, fix, check)

    return wrap
