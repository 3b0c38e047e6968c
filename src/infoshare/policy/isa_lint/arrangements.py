"""Lint rules about retention, security, data quality and reporting (Principle 2,
Procedure B1, Section 4.3).

The Data Protection Act's principles (Principle 2) ask that data be accurate, kept no
longer than necessary and kept secure; Procedure B1 sets access and security; where an
agreement promises statistics or reports, lead members confirm receipt (Section 4.3).
"""

from __future__ import annotations

from collections.abc import Iterator

from infoshare.domain.agreement import InformationSharingAgreement
from infoshare.policy.isa_lint.rule import Issue, LintContext, RuleId, Severity, rule
from infoshare.protocol.schema import ProtocolPack, RoleScope


@rule(
    RuleId.NO_RETENTION,
    Severity.ERROR,
    "Principle 2",
    checks="the agreement says how long recipients keep what they receive, and how they dispose",
    fix="add `retention` with `months`, `starting` and `disposal`",
)
def no_retention(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if isa.retention is None:
        yield Issue(
            ("retention",),
            "the agreement does not say how long shared information is kept",
            "add `retention`: the period in `months`, the event it runs from (`starting`) and "
            "how it is destroyed (`disposal`)",
        )


@rule(
    RuleId.NO_SECURITY_ARRANGEMENTS,
    Severity.ERROR,
    "Procedure B1",
    checks="the agreement states its security arrangements",
    fix="describe in `security` how shared information is stored and who can reach it",
)
def no_security_arrangements(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if isa.security is None:
        yield Issue(
            ("security",),
            "the agreement does not say how shared information is kept secure",
            "add `security`: where received information is stored, who can reach it and how "
            "access is checked",
        )


@rule(
    RuleId.NO_DATA_QUALITY_ARRANGEMENTS,
    Severity.WARNING,
    "Principle 2",
    checks="the agreement states how accuracy is kept and errors are corrected",
    fix="describe in `data_quality` how parties keep shared data accurate",
)
def no_data_quality_arrangements(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if isa.data_quality is None:
        yield Issue(
            ("data_quality",),
            "the agreement does not say how shared information is kept accurate",
            "add `data_quality`: how facts are checked, how corrections reach every "
            "recipient, and how fact and opinion are told apart (Principle 10)",
        )


@rule(
    RuleId.REPORTING_PARTY_UNKNOWN,
    Severity.ERROR,
    "Section 4.3",
    checks="each report is made by a party, to a party or a protocol-wide role",
    fix="name a party as `by`, and a party or a protocol role as `to`",
)
def reporting_party_unknown(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    parties = isa.party_codes
    protocol_roles = [r.id for r in pack.roles if r.scope is RoleScope.PROTOCOL]
    for index, obligation in enumerate(isa.reporting):
        if obligation.by not in parties:
            yield Issue(
                ("reporting", index, "by"),
                f"the report is to be made by `{obligation.by}`, which is not a party",
                f"name the party that produces it: one of {', '.join(parties)}",
            )
        if obligation.to not in parties and obligation.to not in protocol_roles:
            yield Issue(
                ("reporting", index, "to"),
                f"the report is to go to `{obligation.to}`, which is neither a party nor a "
                "protocol-wide role",
                f"send it to a party ({', '.join(parties)}) or to one of "
                f"{', '.join(protocol_roles)}",
            )


RULES = (
    no_retention,
    no_security_arrangements,
    no_data_quality_arrangements,
    reporting_party_unknown,
)
