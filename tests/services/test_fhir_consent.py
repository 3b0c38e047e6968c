"""FHIR R4 Consent: every consent exported, read back equal, and malformed FHIR refused by path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fhir.resources.R4B.consent import Consent as FhirConsent

from infoshare.errors import InputError
from infoshare.services.consent import (
    WithdrawalDraft,
    consent_history,
    record_consent,
    withdraw_consent,
)
from infoshare.services.database import Database
from infoshare.services.fhir_consent import (
    EXTENSION_BASE,
    fhir_consent,
    fhir_consents_of,
    from_fhir,
    import_fhir,
    to_fhir,
)
from tests.services.consent_builders import (
    ADULT,
    CHILD,
    consent_draft,
    register_people,
    withdrawal_draft,
)
from tests.support.databases import row_counts

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)

#: drafts covering every field the mapping carries
DRAFTS = {
    "given": consent_draft(
        exclusions=[
            {"recipients": ["WYP"], "note": "never to the police"},
            {"data_categories": ["mental-health"], "purposes": ["planning"]},
        ],
        recipient_agreements=["ISA-2002-007"],
        explained_recipients=["LCC", "LMHST", "ISA-2002-007"],
        valid_from="2025-11-04T00:00:00+00:00",
        valid_until="2027-11-04T00:00:00+00:00",
    ),
    "refused": consent_draft(decision="refused", method="verbal-recorded", form_version=None),
    "representative": consent_draft(
        nhs_number=CHILD,
        decided_by="representative",
        representative_name="Ann Hughes",
        representative_relationship="mother",
        representative_authority="parental-responsibility",
        leaflet_given=False,
        leaflet_version=None,
        review_date=None,
    ),
    "best interests": consent_draft(
        decided_by="best-interests",
        best_interests_reasons="consulted her son and her GP",
        method="electronic",
        form_version=None,
    ),
}


@pytest.fixture
def people(db: Database) -> Database:
    register_people(db, now=NOW)
    return db


@pytest.mark.parametrize("name", list(DRAFTS))
def test_ours_to_fhir_to_ours_is_the_same_record(name: str) -> None:
    draft = DRAFTS[name]
    withdrawal = withdrawal_draft() if draft.decision == "given" else None
    resource = to_fhir(draft, withdrawal=withdrawal)

    FhirConsent.model_validate(resource)
    assert from_fhir(resource) == (draft, withdrawal)


def test_the_mapping_uses_the_documented_codes() -> None:
    resource = to_fhir(DRAFTS["given"])
    assert resource["scope"]["coding"][0]["code"] == "patient-privacy"
    assert resource["category"][0]["coding"][0] == {"system": "http://loinc.org", "code": "59284-0"}
    assert resource["provision"]["type"] == "permit"
    assert resource["provision"]["provision"][0]["type"] == "deny"
    assert {a["role"]["coding"][0]["code"] for a in resource["provision"]["actor"]} == {"IRCP"}
    assert resource["patient"]["identifier"]["value"] == ADULT
    assert to_fhir(DRAFTS["refused"])["provision"]["type"] == "deny"


def test_every_stored_consent_exports_and_imports_back(
    people: Database, initialised_url: str
) -> None:
    for name in ("given", "refused", "best interests"):
        record_consent(people.unit_of_work(), DRAFTS[name], now=NOW)
    stored = consent_history(people.unit_of_work(), ADULT).consents
    first = next(c for c in stored if c.decision == "given" and c.decided_by == "service-user")
    withdraw_consent(people.unit_of_work(), first.id, withdrawal_draft(), now=NOW)

    bundle = fhir_consents_of(people.unit_of_work(), ADULT, now=NOW)
    assert bundle["type"] == "searchset"
    assert bundle["total"] == 3
    single = fhir_consent(people.unit_of_work(), first.id, now=NOW)
    assert single["status"] == "inactive"
    assert single in [entry["resource"] for entry in bundle["entry"]]

    answer = import_fhir(people.unit_of_work(), bundle, now=NOW)
    assert len(answer["entry"]) == 3
    history = consent_history(people.unit_of_work(), ADULT).consents
    assert len(history) == 6
    originals = {c.id: c for c in history if c.id in {s.id for s in stored}}
    copies = [c for c in history if c.id not in originals]
    for copied in copies:
        original = next(o for o in originals.values() if o.draft() == copied.draft())
        assert (copied.withdrawal is None) == (original.withdrawal is None)
    assert row_counts(initialised_url)["consent_withdrawals"] == 2


def _broken(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    resource = copy.deepcopy(to_fhir(DRAFTS["given"]))
    change(resource)
    return resource


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(resource: dict[str, Any]) -> None:
        target: Any = resource
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _drop_extension(name: str) -> Callable[[dict[str, Any]], None]:
    def change(resource: dict[str, Any]) -> None:
        resource["extension"] = [
            e for e in resource["extension"] if e["url"] != EXTENSION_BASE + name
        ]

    return change


MALFORMED = [
    ("not a date", _set(["dateTime"], "yesterday"), "Consent.dateTime"),
    ("no scope", lambda r: r.pop("scope"), "Consent.scope"),
    ("bad status", _set(["status"], "proposed"), "Consent.status"),
    ("bad provision type", _set(["provision", "type"], "maybe"), "Consent.provision.type"),
    ("patient without NHS number", _set(["patient"], {"reference": "Patient/1"}),
     "Consent.patient.identifier"),
    ("purpose from another system",
     _set(["provision", "purpose"], [{"system": "http://example.org", "code": "care"}]),
     "Consent.provision.purpose[0]"),
    ("no method", _drop_extension("consent-method"), "Consent.extension"),
    ("unknown purpose",
     _set(["provision", "purpose"], [{"system": "https://infoshare.example/fhir/CodeSystem/purpose",
                                      "code": "gossip"}]),
     "Consent.provision.purpose"),
    ("ends before it starts", _set(["provision", "period", "end"], "2025-11-04T00:00:00Z"),
     "Consent.provision.period.end"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "path"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_fhir_is_refused_naming_the_path_and_nothing_is_stored(
    people: Database,
    initialised_url: str,
    change: Callable[[dict[str, Any]], None],
    path: str,
) -> None:
    good = to_fhir(DRAFTS["refused"])
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": good}, {"resource": _broken(change)}],
    }
    before = row_counts(initialised_url)
    with pytest.raises(InputError) as caught:
        import_fhir(people.unit_of_work(), bundle, now=NOW)
    assert caught.value.field is not None
    assert caught.value.field.startswith("Bundle.entry[1].resource" + path.removeprefix("Consent"))
    assert row_counts(initialised_url) == before


def test_a_resource_that_is_neither_consent_nor_bundle_is_refused(people: Database) -> None:
    with pytest.raises(InputError) as caught:
        import_fhir(people.unit_of_work(), {"resourceType": "Patient"}, now=NOW)
    assert caught.value.field == "resourceType"


def test_withdrawal_travels_in_its_extension() -> None:
    withdrawal = WithdrawalDraft.model_validate(
        withdrawal_draft().model_dump() | {"withdrawn_by": "representative",
        "representative_name": "Ann", "representative_relationship": "daughter",
        "representative_authority": "lpa-health-and-welfare",
        "representative_authority_reference": "LPA-123"}
    )  # fmt: skip
    resource = to_fhir(DRAFTS["given"], withdrawal=withdrawal)
    assert from_fhir(resource)[1] == withdrawal
