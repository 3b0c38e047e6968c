"""Lint rules about how information travels (Procedures B1–B5, C3).

An agreement allows only the transfer methods it lists, and each carries every safeguard
the protocol sets for it: a fax without a safe haven, or email without a secure network,
is not allowed (Procedures B2–B5). Parties confirm they have adopted the procedures the
agreement relies on (Procedure C3).
"""

from __future__ import annotations

from collections.abc import Iterator

from infoshare.domain.agreement import ConsentModel, InformationSharingAgreement
from infoshare.policy.isa_lint.rule import Issue, LintContext, RuleId, Severity, rule
from infoshare.protocol.schema import ProtocolPack


@rule(
    RuleId.NO_TRANSFER_METHOD,
    Severity.ERROR,
    "Procedure B1",
    checks="the agreement allows at least one transfer method",
    fix="list in `transfer_methods` how information will be sent",
)
def no_transfer_method(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if not isa.transfer_methods:
        methods = ", ".join(f"`{m.id}`" for m in pack.transfer_methods)
        yield Issue(
            ("transfer_methods",),
            "the agreement allows no way of sending information",
            f"add the methods the parties will use ({methods}) with their safeguards",
        )


@rule(
    RuleId.UNKNOWN_TRANSFER_METHOD,
    Severity.ERROR,
    "Procedure B1",
    checks="every transfer method is one the protocol defines",
    fix="use a transfer method id from the pack",
)
def unknown_transfer_method(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    known = [m.id for m in pack.transfer_methods]
    for index, transfer in enumerate(isa.transfer_methods):
        if transfer.method not in known:
            yield Issue(
                ("transfer_methods", index, "method"),
                f"`{transfer.method}` is not a transfer method of the protocol `{pack.id}`",
                f"use one of {', '.join(f'`{k}`' for k in known)}",
            )


@rule(
    RuleId.MISSING_SAFEGUARDS,
    Severity.ERROR,
    "Procedures B2–B5",
    checks="each transfer method commits to every safeguard its procedure sets",
    fix="add the missing safeguards to the method's `safeguards`",
)
def missing_safeguards(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    methods = {m.id: m for m in pack.transfer_methods}
    for index, transfer in enumerate(isa.transfer_methods):
        method = methods.get(transfer.method)
        if method is None:
            continue
        missing = [s.id for s in method.safeguards if s.id not in transfer.safeguards]
        if missing:
            yield Issue(
                ("transfer_methods", index, "safeguards"),
                f"`{transfer.method}` lacks the safeguards {', '.join(missing)}",
                f"add {', '.join(f'`{m}`' for m in missing)}, or stop allowing `{transfer.method}`",
                clause=f"Procedure {method.procedure}",
            )


@rule(
    RuleId.UNKNOWN_SAFEGUARD,
    Severity.ERROR,
    "Procedures B2–B5",
    checks="every safeguard named is one the protocol sets for that method",
    fix="use the method's safeguard ids from the pack; describe extra care in `notes`",
)
def unknown_safeguard(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    methods = {m.id: m for m in pack.transfer_methods}
    for index, transfer in enumerate(isa.transfer_methods):
        method = methods.get(transfer.method)
        if method is None:
            continue
        known = [s.id for s in method.safeguards]
        for safeguard_index, safeguard in enumerate(transfer.safeguards):
            if safeguard not in known:
                yield Issue(
                    ("transfer_methods", index, "safeguards", safeguard_index),
                    f"`{safeguard}` is not a safeguard the protocol sets for `{method.id}`",
                    f"use one of {', '.join(f'`{k}`' for k in known)}; write any extra care "
                    "in `notes`",
                    clause=f"Procedure {method.procedure}",
                )


def procedures_relied_on(isa: InformationSharingAgreement, pack: ProtocolPack) -> list[str]:
    """The standard procedures the agreement's sharing depends on, by id (for C3)."""
    needed = {"B1", "B7"}
    procedures = {m.id: m.procedure for m in pack.transfer_methods}
    needed |= {procedures[t.method] for t in isa.transfer_methods if t.method in procedures}
    models = {p.consent_model for p in isa.purposes}
    if models & {ConsentModel.CONSENT, ConsentModel.CONSENT_OR_STATUTORY}:
        needed |= {"A1", "A2", "A3", "A4"}
    if ConsentModel.CONSENT_OR_STATUTORY in models:
        needed.add("A5")
    if ConsentModel.ANONYMISED_ONLY in models:
        needed.add("B8")
    defined = {p.id for p in pack.procedures}
    return sorted(needed & defined)


@rule(
    RuleId.PROCEDURE_NOT_CONFIRMED,
    Severity.WARNING,
    "Procedure C3",
    checks="each party has confirmed adopting the procedures the agreement relies on",
    fix="ask the party's lead member to confirm adoption of the listed procedures",
)
def procedure_not_confirmed(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if context.confirmed_procedures is None:
        return  # unknown here; the register of confirmations supplies it when it has it
    needed = procedures_relied_on(isa, pack)
    for index, code in enumerate(isa.party_codes):
        confirmed = context.confirmed_procedures.get(code, frozenset())
        missing = [p for p in needed if p not in confirmed]
        if missing:
            yield Issue(
                ("parties", index, "organisation"),
                f"`{code}` has not confirmed adopting procedures {', '.join(missing)}, which "
                "the agreement relies on",
                f"ask `{code}`'s lead member to confirm adoption of {', '.join(missing)} "
                "(Procedure C3)",
            )


RULES = (
    no_transfer_method,
    unknown_transfer_method,
    missing_safeguards,
    unknown_safeguard,
    procedure_not_confirmed,
)
