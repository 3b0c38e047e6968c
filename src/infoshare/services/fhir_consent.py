"""Consent records as FHIR R4 ``Consent`` resources, both ways (Procedure A3, Principle 5).

Partners' systems speak FHIR; this module writes every stored consent as a FHIR Consent (and
a subject's consents as a searchset Bundle), and reads a FHIR Consent, or a Bundle of them,
back into the same draft the REST API and the web form produce, so an import is checked by
exactly the same rules. The mapping, field by field with its code systems, is in
``docs/fhir.md``; what FHIR has no element for (how consent was obtained, what was
explained, the representative's authority, best-interests reasons, the withdrawal, the
review date, supersession) travels in extensions under ``EXTENSION_BASE``.

Resources are validated with the ``fhir.resources`` package's R4B models (R4B's Consent is
R4's; the package's default models are R5, whose Consent differs). Malformed input is an
InputError whose ``field`` is the FHIR path at fault, e.g. ``Consent.provision.period.end``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Final, TypeVar

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent as FhirConsent
from pydantic import ValidationError

from infoshare.domain.consent import ConsentDecision, DecidedBy
from infoshare.errors import InputError
from infoshare.policy.consent import ConsentStatus
from infoshare.services.access_log import Requester
from infoshare.services.clock import now_or
from infoshare.services.consent import (
    ConsentDraft,
    ConsentView,
    ExclusionDraft,
    ImportRow,
    WithdrawalDraft,
    consent_history,
    get_consent,
    import_consents,
)
from infoshare.store.unit_of_work import UnitOfWork

EXTENSION_BASE: Final = "https://infoshare.example/fhir/StructureDefinition/"
CODE_SYSTEM_BASE: Final = "https://infoshare.example/fhir/CodeSystem/"
NHS_NUMBER_SYSTEM: Final = "https://fhir.nhs.uk/Id/nhs-number"
ORGANISATION_SYSTEM: Final = "https://infoshare.example/fhir/sid/organisation-code"
AGREEMENT_SYSTEM: Final = "https://infoshare.example/fhir/sid/agreement"
CONSENT_ID_SYSTEM: Final = "https://infoshare.example/fhir/sid/consent"
PURPOSE_SYSTEM: Final = CODE_SYSTEM_BASE + "purpose"
CATEGORY_SYSTEM: Final = CODE_SYSTEM_BASE + "data-category"
SCOPE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/consentscope"
LOINC: Final = "http://loinc.org"
PATIENT_CONSENT: Final = "59284-0"
PARTICIPATION: Final = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
RECIPIENT_ROLE: Final = "IRCP"

#: the extensions, by our name; the URL is EXTENSION_BASE + name
EXT_METHOD = "consent-method"
EXT_OBTAINED_BY = "consent-obtained-by"
EXT_DECIDED_BY = "consent-decided-by"
EXT_REPRESENTATIVE = "consent-representative"
EXT_BEST_INTERESTS = "consent-best-interests-reasons"
EXT_FORM_VERSION = "consent-form-version"
EXT_EXPLANATION = "consent-explanation"
EXT_REVIEW_DATE = "consent-review-date"
EXT_SUPERSEDES = "consent-supersedes"
EXT_WITHDRAWAL = "consent-withdrawal"
EXT_EXCLUSION_NOTE = "consent-exclusion-note"

#: FHIR status for each of our statuses; a refusal is an active consent whose provision denies
FHIR_STATUS: Final[Mapping[ConsentStatus, str]] = {
    ConsentStatus.ACTIVE: "active",
    ConsentStatus.REFUSED: "active",
    ConsentStatus.NOT_YET_VALID: "active",
    ConsentStatus.WITHDRAWN: "inactive",
    ConsentStatus.EXPIRED: "inactive",
    ConsentStatus.SUPERSEDED: "inactive",
}
IMPORTABLE_STATUSES: Final = frozenset({"active", "inactive"})


# --- writing FHIR -------------------------------------------------------------------------------


def _moment(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _ext(name: str, **value: Any) -> dict[str, Any]:
    return {"url": EXTENSION_BASE + name, **value}


def _sub(name: str, **value: Any) -> dict[str, Any]:
    return {"url": name, **value}


def _organisation(code: str) -> dict[str, Any]:
    return {"identifier": {"system": ORGANISATION_SYSTEM, "value": code}}


def _recipient(value: str, *, agreement: bool) -> dict[str, Any]:
    system = AGREEMENT_SYSTEM if agreement else ORGANISATION_SYSTEM
    return {"identifier": {"system": system, "value": value}}


def _coding(system: str, code: str) -> dict[str, Any]:
    return {"system": system, "code": code}


def _representative_ext(
    name: str | None, relationship: str | None, authority: str | None, reference: str | None
) -> list[dict[str, Any]]:
    parts = [
        _sub("name", valueString=name) if name else None,
        _sub("relationship", valueString=relationship) if relationship else None,
        _sub("authority", valueCode=str(authority)) if authority else None,
        _sub("authority-reference", valueString=reference) if reference else None,
    ]
    present = [p for p in parts if p is not None]
    return [_ext(EXT_REPRESENTATIVE, extension=present)] if present else []


def _provision(draft: ConsentDraft) -> dict[str, Any]:
    agreements = set(draft.recipient_agreements)
    actors = [
        {
            "role": {"coding": [_coding(PARTICIPATION, RECIPIENT_ROLE)]},
            "reference": _recipient(r, agreement=r in agreements),
        }
        for r in [*draft.recipients, *draft.recipient_agreements]
    ]
    provision: dict[str, Any] = {
        "type": "permit" if draft.decision is ConsentDecision.GIVEN else "deny",
        "actor": actors,
        "purpose": [_coding(PURPOSE_SYSTEM, p) for p in draft.purposes],
        "code": [{"coding": [_coding(CATEGORY_SYSTEM, c)]} for c in draft.data_categories],
    }
    period = {
        key: _moment(value)
        for key, value in (("start", draft.valid_from), ("end", draft.valid_until))
        if value is not None
    }
    if period:
        provision["period"] = period
    exclusions = [_exclusion(e) for e in draft.exclusions]
    if exclusions:
        provision["provision"] = exclusions
    return provision


def _exclusion(exclusion: ExclusionDraft) -> dict[str, Any]:
    nested: dict[str, Any] = {"type": "deny"}
    if exclusion.note:
        nested["extension"] = [_ext(EXT_EXCLUSION_NOTE, valueString=exclusion.note)]
    if exclusion.recipients:
        nested["actor"] = [
            {
                "role": {"coding": [_coding(PARTICIPATION, RECIPIENT_ROLE)]},
                "reference": _organisation(code),
            }
            for code in exclusion.recipients
        ]
    if exclusion.purposes:
        nested["purpose"] = [_coding(PURPOSE_SYSTEM, p) for p in exclusion.purposes]
    if exclusion.data_categories:
        nested["code"] = [
            {"coding": [_coding(CATEGORY_SYSTEM, c)]} for c in exclusion.data_categories
        ]
    return nested


def _explanation_ext(draft: ConsentDraft) -> dict[str, Any]:
    agreements = set(draft.recipient_agreements)
    parts: list[dict[str, Any]] = [
        *(
            _sub("purpose", valueCoding=_coding(PURPOSE_SYSTEM, p))
            for p in draft.explained_purposes
        ),
        *(
            _sub("data-category", valueCoding=_coding(CATEGORY_SYSTEM, c))
            for c in draft.explained_data_categories
        ),
        *(
            _sub(
                "recipient",
                valueIdentifier=_recipient(r, agreement=r in agreements)["identifier"],
            )
            for r in draft.explained_recipients
        ),
        _sub("leaflet-given", valueBoolean=draft.leaflet_given),
    ]
    if draft.leaflet_version:
        parts.append(_sub("leaflet-version", valueString=draft.leaflet_version))
    return _ext(EXT_EXPLANATION, extension=parts)


def _withdrawal_ext(withdrawal: WithdrawalDraft) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [
        _sub("at", valueDateTime=_moment(withdrawal.at)),
        _sub("method", valueCode=str(withdrawal.method)),
        _sub("recorded-by", valueString=withdrawal.recorded_by),
        _sub(
            "recorded-by-organisation",
            valueIdentifier=_organisation(withdrawal.recorded_by_organisation)["identifier"],
        ),
        _sub("withdrawn-by", valueCode=str(withdrawal.withdrawn_by)),
    ]
    representative = _representative_ext(
        withdrawal.representative_name,
        withdrawal.representative_relationship,
        withdrawal.representative_authority,
        withdrawal.representative_authority_reference,
    )
    if representative:
        parts.append(_sub("representative", extension=representative[0]["extension"]))
    if withdrawal.reason:
        parts.append(_sub("reason", valueString=withdrawal.reason))
    return _ext(EXT_WITHDRAWAL, extension=parts)


def _performer(draft: ConsentDraft) -> dict[str, Any]:
    match draft.decided_by:
        case DecidedBy.SERVICE_USER:
            return {
                "type": "Patient",
                "identifier": {"system": NHS_NUMBER_SYSTEM, "value": draft.nhs_number},
            }
        case DecidedBy.REPRESENTATIVE:
            return {"type": "RelatedPerson", "display": draft.representative_name or ""}
        case _:
            return {"type": "Practitioner", "display": draft.obtained_by}


def to_fhir(draft: ConsentDraft, *, consent_id: uuid.UUID | None = None,
            status: ConsentStatus = ConsentStatus.ACTIVE,
            withdrawal: WithdrawalDraft | None = None) -> dict[str, Any]:  # fmt: skip
    """``draft`` (with its withdrawal) as a FHIR R4 Consent, as JSON-ready data, validated."""
    extensions = [
        _ext(EXT_METHOD, valueCode=str(draft.method)),
        _ext(EXT_OBTAINED_BY, valueString=draft.obtained_by),
        _ext(EXT_DECIDED_BY, valueCode=str(draft.decided_by)),
        *_representative_ext(
            draft.representative_name,
            draft.representative_relationship,
            draft.representative_authority,
            draft.representative_authority_reference,
        ),
        _explanation_ext(draft),
    ]
    if draft.best_interests_reasons:
        extensions.append(_ext(EXT_BEST_INTERESTS, valueString=draft.best_interests_reasons))
    if draft.form_version:
        extensions.append(_ext(EXT_FORM_VERSION, valueString=draft.form_version))
    if draft.review_date:
        extensions.append(_ext(EXT_REVIEW_DATE, valueDate=draft.review_date.isoformat()))
    if draft.supersedes:
        extensions.append(
            _ext(EXT_SUPERSEDES, valueReference={"reference": f"Consent/{draft.supersedes}"})
        )
    if withdrawal is not None:
        extensions.append(_withdrawal_ext(withdrawal))
    resource: dict[str, Any] = {"resourceType": "Consent"}
    if consent_id is not None:
        resource["id"] = str(consent_id)
        resource["identifier"] = [{"system": CONSENT_ID_SYSTEM, "value": str(consent_id)}]
    resource |= {
        "extension": extensions,
        "status": FHIR_STATUS[status],
        "scope": {"coding": [_coding(SCOPE_SYSTEM, "patient-privacy")]},
        "category": [{"coding": [_coding(LOINC, PATIENT_CONSENT)]}],
        "patient": {"identifier": {"system": NHS_NUMBER_SYSTEM, "value": draft.nhs_number}},
        "dateTime": _moment(draft.obtained_at),
        "performer": [_performer(draft)],
        "organization": [_organisation(draft.obtained_by_organisation)],
        "provision": _provision(draft),
    }
    if draft.form_version:
        resource["sourceAttachment"] = {"title": f"Consent form {draft.form_version}"}
    FhirConsent.model_validate(resource)
    return resource


def view_to_fhir(view: ConsentView) -> dict[str, Any]:
    """A stored consent as FHIR, with its id, status and withdrawal."""
    withdrawal = (
        None
        if view.withdrawal is None
        else WithdrawalDraft.model_validate(view.withdrawal.model_dump(exclude={"recorded_at"}))
    )
    return to_fhir(view.draft(), consent_id=view.id, status=view.status, withdrawal=withdrawal)


def bundle_of(views: list[ConsentView], *, now: datetime) -> dict[str, Any]:
    """A searchset Bundle of ``views``, as ``GET …/Consent?patient=`` returns it."""
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": _moment(now),
        "total": len(views),
        "entry": [
            {"fullUrl": f"urn:uuid:{view.id}", "resource": view_to_fhir(view)} for view in views
        ],
    }
    Bundle.model_validate(bundle)
    return bundle


# --- reading FHIR -------------------------------------------------------------------------------


class _Reader:
    """Reads one validated Consent (as plain data), raising errors that name the FHIR path."""

    def __init__(self, data: Mapping[str, Any], path: str) -> None:
        self.data = data
        self.path = path

    def fail(self, where: str, message: str) -> InputError:
        return InputError(f"`{self.path}.{where}`: {message}", field=f"{self.path}.{where}")

    def extensions(self, name: str) -> list[Mapping[str, Any]]:
        return [e for e in self.data.get("extension", []) if e.get("url") == EXTENSION_BASE + name]

    def extension(self, name: str) -> Mapping[str, Any] | None:
        found = self.extensions(name)
        if len(found) > 1:
            raise self.fail("extension", f"the extension `{name}` is given more than once")
        return found[0] if found else None

    def required(self, name: str) -> Mapping[str, Any]:
        found = self.extension(name)
        if found is None:
            raise self.fail(
                "extension", f"the extension `{EXTENSION_BASE + name}` is required; add it"
            )
        return found


def _parts(extension: Mapping[str, Any] | None, name: str) -> list[Mapping[str, Any]]:
    if extension is None:
        return []
    return [e for e in extension.get("extension", []) if e.get("url") == name]


def _part(extension: Mapping[str, Any] | None, name: str, key: str) -> Any:
    found = _parts(extension, name)
    return found[0].get(key) if found else None


def _codes(reader: _Reader, codings: list[Mapping[str, Any]], system: str, where: str) -> list[str]:
    codes = []
    for index, coding in enumerate(codings):
        if coding.get("system") != system or not coding.get("code"):
            raise reader.fail(f"{where}[{index}]", f"give a code from the code system `{system}`")
        codes.append(str(coding["code"]))
    return codes


def _identifier_values(
    reader: _Reader, identifiers: list[tuple[str, Mapping[str, Any]]]
) -> tuple[list[str], list[str]]:
    """Organisation codes and agreement references among ``identifiers`` (path, identifier)."""
    organisations: list[str] = []
    agreements: list[str] = []
    for where, identifier in identifiers:
        system, value = identifier.get("system"), identifier.get("value")
        if not value or system not in (ORGANISATION_SYSTEM, AGREEMENT_SYSTEM):
            raise reader.fail(
                where,
                f"identify the organisation with system `{ORGANISATION_SYSTEM}` (or an "
                f"agreement with `{AGREEMENT_SYSTEM}`) and its code as the value",
            )
        (organisations if system == ORGANISATION_SYSTEM else agreements).append(str(value))
    return organisations, agreements


def _actor_identifiers(
    reader: _Reader, provision: Mapping[str, Any], where: str
) -> list[tuple[str, Mapping[str, Any]]]:
    found = []
    for index, actor in enumerate(provision.get("actor", [])):
        codes = [c.get("code") for c in actor.get("role", {}).get("coding", [])]
        if RECIPIENT_ROLE not in codes:
            raise reader.fail(
                f"{where}.actor[{index}].role",
                f"only recipients (`{RECIPIENT_ROLE}`) are recorded; give that role",
            )
        found.append((f"{where}.actor[{index}].reference", actor.get("reference", {}).get(
            "identifier", {})))  # fmt: skip
    return found


def _category_codes(reader: _Reader, provision: Mapping[str, Any], where: str) -> list[str]:
    codings = [
        (index, coding)
        for index, concept in enumerate(provision.get("code", []))
        for coding in concept.get("coding", [])
    ]
    codes = []
    for index, coding in codings:
        codes += _codes(reader, [coding], CATEGORY_SYSTEM, f"{where}.code[{index}].coding")
    return codes


def _representative_fields(extension: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        "representative_name": _part(extension, "name", "valueString"),
        "representative_relationship": _part(extension, "relationship", "valueString"),
        "representative_authority": _part(extension, "authority", "valueCode"),
        "representative_authority_reference": _part(
            extension, "authority-reference", "valueString"
        ),
    }


def _nhs_number(reader: _Reader) -> str:
    identifier = reader.data.get("patient", {}).get("identifier", {})
    if identifier.get("system") != NHS_NUMBER_SYSTEM or not identifier.get("value"):
        raise reader.fail(
            "patient.identifier",
            f"identify the patient by NHS number (system `{NHS_NUMBER_SYSTEM}`)",
        )
    return str(identifier["value"])


def _draft(reader: _Reader) -> tuple[ConsentDraft, WithdrawalDraft | None]:
    data = reader.data
    status = data.get("status")
    if status not in IMPORTABLE_STATUSES:
        raise reader.fail("status", f"`{status}` cannot be imported; give `active` or `inactive`")
    provision = data.get("provision")
    if not provision:
        raise reader.fail("provision", "say what is permitted or denied in `provision`")
    kind = provision.get("type")
    if kind not in ("permit", "deny"):
        raise reader.fail("provision.type", "give `permit` (consent) or `deny` (refusal)")
    organisations = data.get("organization", [])
    if len(organisations) != 1:
        raise reader.fail("organization", "name the one organisation that obtained it")
    codes, _ = _identifier_values(
        reader, [("organization[0].identifier", organisations[0].get("identifier", {}))]
    )
    if not codes:
        raise reader.fail(
            "organization[0].identifier",
            f"identify the organisation with system `{ORGANISATION_SYSTEM}`, not an agreement",
        )
    obtained_by_organisation = codes[0]
    if not data.get("dateTime"):
        raise reader.fail("dateTime", "give when the consent was obtained, with a time zone")
    recipients, agreements = _identifier_values(
        reader, _actor_identifiers(reader, provision, "provision")
    )
    explanation = reader.required(EXT_EXPLANATION)
    explained_recipients = [
        str(part.get("valueIdentifier", {}).get("value", ""))
        for part in _parts(explanation, "recipient")
    ]
    period = provision.get("period", {})
    exclusions = []
    for index, nested in enumerate(provision.get("provision", [])):
        where = f"provision.provision[{index}]"
        if nested.get("type") != "deny":
            raise reader.fail(f"{where}.type", "an exclusion is a nested provision of type `deny`")
        excluded, _ = _identifier_values(reader, _actor_identifiers(reader, nested, where))
        notes = [
            e.get("valueString", "")
            for e in nested.get("extension", [])
            if e.get("url") == EXTENSION_BASE + EXT_EXCLUSION_NOTE
        ]
        exclusions.append(
            {
                "recipients": excluded,
                "data_categories": _category_codes(reader, nested, where),
                "purposes": _codes(
                    reader, nested.get("purpose", []), PURPOSE_SYSTEM, f"{where}.purpose"
                ),
                "note": notes[0] if notes else "",
            }
        )
    review = reader.extension(EXT_REVIEW_DATE)
    supersedes = reader.extension(EXT_SUPERSEDES)
    best_interests = reader.extension(EXT_BEST_INTERESTS)
    form_version = reader.extension(EXT_FORM_VERSION)
    values: dict[str, Any] = {
        "nhs_number": _nhs_number(reader),
        "decision": "given" if kind == "permit" else "refused",
        "decided_by": reader.required(EXT_DECIDED_BY).get("valueCode"),
        **_representative_fields(reader.extension(EXT_REPRESENTATIVE)),
        "best_interests_reasons": _value(best_interests, "valueString"),
        "obtained_by": reader.required(EXT_OBTAINED_BY).get("valueString"),
        "obtained_by_organisation": obtained_by_organisation,
        "obtained_at": data["dateTime"],
        "method": reader.required(EXT_METHOD).get("valueCode"),
        "form_version": _value(form_version, "valueString"),
        "explained_purposes": [
            str(p.get("valueCoding", {}).get("code", "")) for p in _parts(explanation, "purpose")
        ],
        "explained_data_categories": [
            str(p.get("valueCoding", {}).get("code", ""))
            for p in _parts(explanation, "data-category")
        ],
        "explained_recipients": explained_recipients,
        "leaflet_given": bool(_part(explanation, "leaflet-given", "valueBoolean")),
        "leaflet_version": _part(explanation, "leaflet-version", "valueString"),
        "purposes": _codes(
            reader, provision.get("purpose", []), PURPOSE_SYSTEM, "provision.purpose"
        ),
        "data_categories": _category_codes(reader, provision, "provision"),
        "recipients": recipients,
        "recipient_agreements": agreements,
        "exclusions": exclusions,
        "valid_from": period.get("start"),
        "valid_until": period.get("end"),
        "review_date": _value(review, "valueDate"),
        "supersedes": _superseded_id(reader, supersedes),
    }
    draft = _validated(reader, ConsentDraft, values, "")
    withdrawal_ext = reader.extension(EXT_WITHDRAWAL)
    withdrawal = None
    if withdrawal_ext is not None:
        withdrawal = _validated(
            reader,
            WithdrawalDraft,
            {
                "at": _part(withdrawal_ext, "at", "valueDateTime"),
                "method": _part(withdrawal_ext, "method", "valueCode"),
                "recorded_by": _part(withdrawal_ext, "recorded-by", "valueString"),
                "recorded_by_organisation": (
                    _part(withdrawal_ext, "recorded-by-organisation", "valueIdentifier") or {}
                ).get("value"),
                "withdrawn_by": _part(withdrawal_ext, "withdrawn-by", "valueCode"),
                **_representative_fields(
                    next(iter(_parts(withdrawal_ext, "representative")), None)
                ),
                "reason": _part(withdrawal_ext, "reason", "valueString"),
            },
            f"extension({EXT_WITHDRAWAL}).",
        )
    return draft, withdrawal


def _value(extension: Mapping[str, Any] | None, key: str) -> Any:
    return None if extension is None else extension.get(key)


def _superseded_id(reader: _Reader, extension: Mapping[str, Any] | None) -> str | None:
    if extension is None:
        return None
    reference = str(extension.get("valueReference", {}).get("reference", ""))
    if not reference.startswith("Consent/"):
        raise reader.fail(
            f"extension({EXT_SUPERSEDES})", "refer to the earlier consent as `Consent/<id>`"
        )
    return reference.removeprefix("Consent/")


_Draft = TypeVar("_Draft", ConsentDraft, WithdrawalDraft)


def _validated(reader: _Reader, model: type[_Draft], values: dict[str, Any], prefix: str) -> _Draft:
    try:
        return model.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "resource"
        raise reader.fail(f"{prefix}{where}", f"{first['msg']}; correct it") from error


def _validate_fhir(data: Any, model: type[FhirConsent] | type[Bundle], path: str) -> None:
    try:
        model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = path
        for part in first["loc"]:
            if isinstance(part, int):
                location += f"[{part}]"
            elif part != "__root__":
                location += f".{part}"
        raise InputError(
            f"`{location}` is not valid FHIR R4: {first['msg']}; correct it", field=location
        ) from error


def consents_in(data: Any) -> Iterator[tuple[str, Any]]:
    """The Consent resources in ``data`` (a Consent, or a Bundle of them), with their paths."""
    if not isinstance(data, Mapping):
        raise InputError("the body is not a FHIR resource; send a JSON object", field="resource")
    kind = data.get("resourceType")
    if kind == "Consent":
        yield "Consent", data
    elif kind == "Bundle":
        _validate_fhir(data, Bundle, "Bundle")
        for index, entry in enumerate(data.get("entry", [])):
            yield f"Bundle.entry[{index}].resource", entry.get("resource")
    else:
        raise InputError(
            f"`{kind}` is not a Consent or a Bundle; send one of those",
            field="resourceType",
        )


def from_fhir(data: Any, path: str = "Consent") -> tuple[ConsentDraft, WithdrawalDraft | None]:
    """A FHIR Consent as our draft (and its withdrawal); InputError naming the FHIR path."""
    if not isinstance(data, Mapping) or data.get("resourceType") != "Consent":
        raise InputError(f"`{path}` is not a Consent resource", field=path)
    _validate_fhir(data, FhirConsent, path)
    return _draft(_Reader(data, path))


# --- the services: export and import ------------------------------------------------------------


def fhir_consents_of(
    uow: UnitOfWork,
    nhs_number: str,
    *,
    requester: Requester | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Every consent of a service user, oldest first, as a FHIR searchset Bundle."""
    moment = now_or(now)
    history = consent_history(
        uow, nhs_number, requester=requester, why="exported as FHIR", at=moment
    )
    return bundle_of(history.consents, now=moment)


def fhir_consent(
    uow: UnitOfWork,
    consent_id: uuid.UUID,
    *,
    requester: Requester | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """One stored consent as a FHIR Consent; NotFoundError if there is none."""
    return view_to_fhir(
        get_consent(uow, consent_id, requester=requester, why="exported as FHIR", at=now_or(now))
    )


def read_fhir(data: Any) -> list[tuple[str, ImportRow | InputError]]:
    """Each Consent in ``data`` (a Consent or a Bundle) read as a draft, or the error it met."""
    rows: list[tuple[str, ImportRow | InputError]] = []
    for path, resource in consents_in(data):
        try:
            rows.append((path, from_fhir(resource, path)))
        except InputError as error:
            rows.append((path, error))
    return rows


def import_fhir(
    uow: UnitOfWork, data: Any, *, requester: Requester | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Store the Consent (or every Consent of the Bundle) in ``data``, or nothing; answers
    with a FHIR ``transaction-response`` Bundle locating each consent stored.

    Any resource that is malformed or refused makes the whole import an InputError whose
    ``field`` is the FHIR path of the first one at fault (``Bundle.entry[2].resource.…``).
    """
    moment = now_or(now)
    rows = read_fhir(data)
    if not rows:
        raise InputError(
            "the Bundle holds no Consent resources; add at least one", field="Bundle.entry"
        )
    paths = [path for path, _ in rows]
    numbered = [(index, row) for index, (_, row) in enumerate(rows)]
    stored, rejected = import_consents(uow, numbered, requester=requester, now=moment)
    if rejected:
        first = rejected[0]
        path = paths[first.row]
        field = first.field or path
        if not field.startswith(path):
            field = f"{path}.{_FHIR_PATH_OF.get(field, field)}"
        message = first.message if first.message.startswith("`") else f"`{field}`: {first.message}"
        count = len(rejected)
        raise InputError(
            f"{count} of {len(rows)} Consent resources {'was' if count == 1 else 'were'} "
            f"refused and nothing was stored; first: {message}",
            field=field,
        )
    return {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [
            {"response": {"status": "201 Created", "location": f"Consent/{consent_id}"}}
            for consent_id in stored
        ],
    }


#: where our fields live in a FHIR Consent, to name the path of a refused value
_FHIR_PATH_OF: Final[Mapping[str, str]] = {
    "nhs_number": "patient.identifier.value",
    "obtained_at": "dateTime",
    "obtained_by_organisation": "organization[0].identifier.value",
    "purposes": "provision.purpose",
    "data_categories": "provision.code",
    "recipients": "provision.actor",
    "valid_from": "provision.period.start",
    "valid_until": "provision.period.end",
    "explained_purposes": f"extension({EXT_EXPLANATION}).purpose",
    "explained_data_categories": f"extension({EXT_EXPLANATION}).data-category",
    "explained_recipients": f"extension({EXT_EXPLANATION}).recipient",
    "review_date": f"extension({EXT_REVIEW_DATE})",
    "supersedes": f"extension({EXT_SUPERSEDES})",
    "form_version": f"extension({EXT_FORM_VERSION})",
    "representative": f"extension({EXT_REPRESENTATIVE})",
    "representative_authority": f"extension({EXT_REPRESENTATIVE}).authority",
    "representative.authority_reference": f"extension({EXT_REPRESENTATIVE}).authority-reference",
    "withdrawal": f"extension({EXT_WITHDRAWAL})",
    "withdrawal.at": f"extension({EXT_WITHDRAWAL}).at",
}


__all__ = [
    "EXTENSION_BASE",
    "bundle_of",
    "consents_in",
    "fhir_consent",
    "fhir_consents_of",
    "from_fhir",
    "import_fhir",
    "read_fhir",
    "to_fhir",
    "view_to_fhir",
]
