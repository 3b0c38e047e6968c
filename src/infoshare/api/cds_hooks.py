"""A CDS Hooks consent decision service, as HL7's LEAP Consent Decision Service defines it
(``patient-consent-consult``), answering from the same ``decide()`` (Procedures A4, A5, A7).
CDS Hooks puts services at ``{base URL}/cds-services``; infoshare's base URL is ``/api/v1``.

Systems built on FHIR ask consent questions through CDS Hooks: discovery at
``GET /cds-services`` lists the one service; ``POST /cds-services/patient-consent-consult``
takes the hook's ``context`` (``patientId`` as a FHIR identifier, ``scope``,
``purposeOfUse``, ``actor``) and answers one card whose ``summary`` and
``extension.decision`` carry LEAP's decision (``CONSENT_PERMIT``, ``CONSENT_DENY``,
``NO_CONSENT``) and whose extension carries infoshare's own outcome, the categories, the
obligations (the decision's conditions) and every reason with its clause.

The protocol's decision needs more than LEAP's context names: who provides, who receives,
what information and how. Those come as extra ``context`` fields (``provider``,
``recipient``, ``categories``, ``transferMethod``, ``recipientRole``, ``isa``); the
``actor`` is the member of staff asking (``value``: their email). ``purposeOfUse`` is an HL7
v3 PurposeOfUse code or one of the pack's purpose ids (docs/fhir.md has the mapping).
Like ``POST /api/v1/decisions`` it is a dry run: the question is recorded
(``decision:asked``), nothing is disclosed. It needs an API token with ``disclosures:make``.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from infoshare.api.dependencies import ApiCaller, DatabaseDep, SettingsDep
from infoshare.api.problems import problem_responses
from infoshare.errors import InputError
from infoshare.policy.decision import ClaimKind, Outcome
from infoshare.services.disclosures import BasisDraft, RequestDraft, ask

router = APIRouter(tags=["cds-hooks"])

HOOK: Final = "patient-consent-consult"
NHS_NUMBER_SYSTEM: Final = "https://fhir.nhs.uk/Id/nhs-number"
#: the FHIR consent scope this service answers for
SCOPES: Final = frozenset({"patient-privacy"})

#: HL7 v3 PurposeOfUse codes and the pack's purposes they mean
PURPOSE_OF_USE: Final = {
    "TREAT": "care",
    "ETREAT": "care",
    "CAREMGT": "care",
    "COC": "care",
    "PUBHLTH": "protection",
    "HPRGRP": "protection",
    "LEGAL": "crime",
    "HOPERAT": "planning",
    "HPAYMT": "commissioning",
    "HQUALIMP": "performance-audit",
    "HRESCH": "research",
}

#: infoshare outcome -> (LEAP decision, CDS Hooks card indicator)
LEAP_DECISION: Final = {
    Outcome.PERMIT: ("CONSENT_PERMIT", "info"),
    Outcome.PERMIT_ANONYMISED: ("CONSENT_PERMIT", "info"),
    Outcome.REFER: ("NO_CONSENT", "warning"),
    Outcome.DENY: ("CONSENT_DENY", "critical"),
}

SOURCE: Final = {"label": "infoshare consent decision service", "url": "https://infoshare.local"}


class Identifier(BaseModel):
    model_config = ConfigDict(extra="allow")

    system: str | None = None
    value: str


class ConsultContext(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    patient_id: Identifier = Field(alias="patientId")
    scope: str
    purpose_of_use: str = Field(alias="purposeOfUse")
    actor: Identifier | list[Identifier]
    provider: str
    recipient: str
    categories: list[str] = Field(min_length=1)
    transfer_method: str = Field(alias="transferMethod")
    recipient_role: str | None = Field(default=None, alias="recipientRole")
    isa: str | None = None


class ConsultRequest(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    hook: str
    hook_instance: str = Field(alias="hookInstance")
    context: ConsultContext


class Card(BaseModel):
    summary: str
    detail: str
    indicator: str
    source: dict[str, str]
    extension: dict[str, Any]


class CardsOut(BaseModel):
    cards: list[Card]


def _purpose(code: str) -> str:
    return PURPOSE_OF_USE.get(code.upper(), code)


def _draft(context: ConsultContext) -> RequestDraft:
    if context.scope not in SCOPES:
        raise InputError(
            f"scope `{context.scope}` is not answered here; use `patient-privacy`",
            field="context.scope",
        )
    if context.patient_id.system not in (None, NHS_NUMBER_SYSTEM):
        raise InputError(
            f"patientId system `{context.patient_id.system}` is not known; send the NHS number "
            f"with system `{NHS_NUMBER_SYSTEM}`",
            field="context.patientId",
        )
    actors = context.actor if isinstance(context.actor, list) else [context.actor]
    emergency = context.purpose_of_use.upper() == "ETREAT"
    return RequestDraft(
        requester=actors[0].value,
        provider=context.provider,
        recipient=context.recipient,
        recipient_role=context.recipient_role,
        nhs_number=context.patient_id.value,
        purpose=_purpose(context.purpose_of_use),
        categories=context.categories,
        transfer_method=context.transfer_method,
        isa=context.isa,
        basis=(
            BasisDraft(
                kind=ClaimKind.EMERGENCY,
                emergency_reason="emergency treatment (purposeOfUse ETREAT)",
            )
            if emergency
            else BasisDraft()
        ),
    )


@router.get(
    "/cds-services",
    summary="CDS Hooks discovery: the consent decision service",
    responses=problem_responses(500),
)
def discovery() -> dict[str, Any]:
    return {
        "services": [
            {
                "hook": HOOK,
                "id": HOOK,
                "title": "infoshare consent decision service",
                "description": "Whether the protocol lets this information about this person go "
                "to this recipient for this purpose, with the reasons and their clauses.",
                "prefetch": {},
            }
        ]
    }


@router.post(
    f"/cds-services/{HOOK}",
    response_model=CardsOut,
    summary="Ask whether sharing is permitted; one card with the LEAP decision",
    responses=problem_responses(401, 403, 422),
)
def consult(
    body: ConsultRequest, caller: ApiCaller, database: DatabaseDep, settings: SettingsDep
) -> CardsOut:
    if body.hook != HOOK:
        raise InputError(f"hook `{body.hook}` is not this service's; send `{HOOK}`", field="hook")
    done = ask(database, caller, _draft(body.context), review_hours=settings.emergency_review_hours)
    decision = done.decision
    leap, indicator = LEAP_DECISION[decision.outcome]
    first = decision.reasons[-1].message if decision.reasons else decision.outcome.value
    card = Card(
        summary=leap,
        detail=first,
        indicator=indicator,
        source=SOURCE,
        extension={
            "decision": leap,
            "infoshare_outcome": decision.outcome.value,
            "permitted": list(decision.permitted),
            "referred": list(decision.referred),
            "withheld": [w.category for w in decision.withheld],
            "obligations": [
                {"id": c.kind.value, "clause": c.clause, "text": c.text}
                for c in decision.conditions
            ],
            "reasons": done.decision_json["reasons"],
            "subject_id": done.subject_id,
        },
    )
    return CardsOut(cards=[card])
