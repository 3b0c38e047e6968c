"""Appendix 4, the consent form: its fields, grouped as the page shows them, and reading it back.

``SECTIONS`` lists every field of the consent record (``ConsentDraft``) exactly once, in the
fieldsets the form shows; the entry page, the printable page and the PDF are all rendered
from it, and ``draft_from_form`` reads a posted form back into the record through it, so the
form cannot drift from the record (``tests/web/test_consent_pages.py`` checks both ways).
Moments are entered as UK local time (``Europe/London``) and stored in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from infoshare.domain.consent import AuthorityKind, CollectionMethod, ConsentDecision, DecidedBy
from infoshare.errors import InputError
from infoshare.services.consent import ConsentDraft, ExclusionDraft

LOCAL_TIME: Final = ZoneInfo("Europe/London")
#: how many exclusion groups a blank form offers (a pre-filled one shows one more than used)
BLANK_EXCLUSIONS: Final = 2
EXCLUSION_PARTS: Final = ("recipients", "data_categories", "purposes", "note")


class Kind(StrEnum):
    """How a field is entered."""

    TEXT = "text"
    LONG_TEXT = "long-text"
    MOMENT = "moment"
    DATE = "date"
    CHOICE = "choice"
    YES_NO = "yes-no"
    PURPOSES = "purposes"
    CATEGORIES = "categories"
    ORGANISATIONS = "organisations"
    REFERENCES = "references"
    EXCLUSIONS = "exclusions"


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: Kind
    hint: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False


def _choices(vocabulary: type[StrEnum]) -> tuple[str, ...]:
    return tuple(str(member) for member in vocabulary)


#: (legend, fields): every field of the record, once, in the order the form asks for them
SECTIONS: Final[tuple[tuple[str, tuple[FormField, ...]], ...]] = (
    (
        "The service user",
        (FormField("nhs_number", "NHS number", Kind.TEXT, "Ten digits", required=True),),
    ),
    (
        "The decision",
        (
            FormField(
                "decision",
                "Decision",
                Kind.CHOICE,
                "A refusal is recorded too",
                _choices(ConsentDecision),
                required=True,
            ),
            FormField(
                "decided_by",
                "Who decided",
                Kind.CHOICE,
                "Procedure A2",
                _choices(DecidedBy),
                required=True,
            ),
        ),
    ),
    (
        "Representative (if someone decided for the person)",
        (
            FormField("representative_name", "Representative's name", Kind.TEXT),
            FormField(
                "representative_relationship",
                "Relationship to the person",
                Kind.TEXT,
                "For example mother, daughter, advocate",
            ),
            FormField(
                "representative_authority",
                "Authority they act under",
                Kind.CHOICE,
                "Procedure A2",
                _choices(AuthorityKind),
            ),
            FormField(
                "representative_authority_reference",
                "Reference of that authority",
                Kind.TEXT,
                "LPA registration or court order number",
            ),
        ),
    ),
    (
        "Best-interests decision",
        (
            FormField(
                "best_interests_reasons",
                "Reasons, and who was consulted",
                Kind.LONG_TEXT,
                "Only for a decision made in the person's best interests",
            ),
        ),
    ),
    (
        "What was explained to the person (Principle 5)",
        (
            FormField("explained_purposes", "Purposes explained", Kind.PURPOSES),
            FormField("explained_data_categories", "Information explained", Kind.CATEGORIES),
            FormField("explained_recipients", "Recipients explained", Kind.ORGANISATIONS),
            FormField("leaflet_given", "Information leaflet given", Kind.YES_NO),
            FormField("leaflet_version", "Leaflet version", Kind.TEXT),
        ),
    ),
    (
        "What the decision is about",
        (
            FormField("purposes", "Purposes", Kind.PURPOSES, "Section 2.1", required=True),
            FormField("data_categories", "Information", Kind.CATEGORIES, required=True),
            FormField("recipients", "Recipient organisations", Kind.ORGANISATIONS),
            FormField(
                "recipient_agreements",
                "The parties to these agreements",
                Kind.REFERENCES,
                "Agreement references, separated by semicolons",
            ),
        ),
    ),
    (
        "Limits the person set (Procedure A1)",
        (
            FormField(
                "exclusions",
                "Never share",
                Kind.EXCLUSIONS,
                "Each limit names recipients, information or purposes, or several",
            ),
        ),
    ),
    (
        "Validity",
        (
            FormField("valid_from", "Valid from", Kind.MOMENT, "Empty: from when it was obtained"),
            FormField("valid_until", "Valid until", Kind.MOMENT, "Empty: until withdrawn"),
            FormField("review_date", "Review date", Kind.DATE),
            FormField(
                "supersedes",
                "Replaces the earlier consent",
                Kind.TEXT,
                "Its id, if this record replaces one",
            ),
        ),
    ),
    (
        "How it was obtained (Procedure A3)",
        (
            FormField(
                "obtained_by",
                "Obtained by",
                Kind.TEXT,
                "Name of the member of staff",
                required=True,
            ),
            FormField(
                "obtained_by_organisation",
                "Their organisation",
                Kind.TEXT,
                "Organisation code, e.g. LTHT",
                required=True,
            ),
            FormField("obtained_at", "Obtained at", Kind.MOMENT, "UK time", required=True),
            FormField(
                "method", "How", Kind.CHOICE, choices=_choices(CollectionMethod), required=True
            ),
            FormField(
                "form_version", "Consent form version", Kind.TEXT, "Needed for a signed form"
            ),
        ),
    ),
)

FIELDS: Final = tuple(field for _, fields in SECTIONS for field in fields)
FIELD_NAMES: Final = tuple(field.name for field in FIELDS)

if sorted(FIELD_NAMES) != sorted(ConsentDraft.model_fields):  # pragma: no cover - a code error
    raise RuntimeError("the consent form's fields differ from the consent record's fields")


#: the kinds whose value is a list
LISTS: Final = frozenset({Kind.EXCLUSIONS, Kind.PURPOSES, Kind.CATEGORIES, Kind.ORGANISATIONS})


def exclusion_name(index: int, part: str) -> str:
    return f"exclusions-{index}-{part}"


def input_names(exclusion_groups: int) -> set[str]:
    """The names of every control the form has, with ``exclusion_groups`` exclusion groups."""
    names = {f.name for f in FIELDS if f.kind is not Kind.EXCLUSIONS}
    names |= {exclusion_name(i, p) for i in range(exclusion_groups) for p in EXCLUSION_PARTS}
    return names


# --- values into the form -----------------------------------------------------------------------


def _local(value: datetime) -> str:
    return value.astimezone(LOCAL_TIME).strftime("%Y-%m-%dT%H:%M")


def form_values(draft: ConsentDraft | None, **defaults: Any) -> dict[str, Any]:
    """Each field's value as the form shows it: text, a list of ticked values, or a flag."""
    data: dict[str, Any] = dict(draft.model_dump()) if draft is not None else {}
    values: dict[str, Any] = {}
    for field in FIELDS:
        value = data.get(field.name, defaults.get(field.name))
        if field.kind in LISTS:
            values[field.name] = list(value or [])
        elif field.kind is Kind.REFERENCES:
            values[field.name] = "; ".join(value or [])
        elif field.kind is Kind.YES_NO:
            values[field.name] = bool(value)
        elif isinstance(value, datetime):
            values[field.name] = _local(value)
        elif isinstance(value, date):
            values[field.name] = value.isoformat()
        else:
            values[field.name] = "" if value is None else str(value)
    return values


def exclusion_groups(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The exclusion groups to show: those recorded, then blank ones up to the form's room."""
    recorded = [dict(e) for e in values.get("exclusions", [])]
    blanks = max(BLANK_EXCLUSIONS - len(recorded), 1)
    empty = {"recipients": [], "data_categories": [], "purposes": [], "note": ""}
    return recorded + [dict(empty) for _ in range(blanks)]


# --- the posted form back into a record ---------------------------------------------------------


def _moment(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise InputError(
            f"`{text}` is not a date and time; give it like `2025-11-03T10:00`", field=name
        ) from error
    return value.replace(tzinfo=LOCAL_TIME) if value.tzinfo is None else value


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]


def draft_from_form(form: Mapping[str, Sequence[str]]) -> ConsentDraft:
    """The posted form as a record; InputError naming the field for what does not fit."""

    def first(name: str) -> str:
        found = form.get(name, ())
        return found[0].strip() if found else ""

    values: dict[str, Any] = {}
    for field in FIELDS:
        name = field.name
        if field.kind is Kind.EXCLUSIONS:
            values[name] = _exclusions(form)
        elif field.kind in (Kind.PURPOSES, Kind.CATEGORIES, Kind.ORGANISATIONS):
            values[name] = [v for v in form.get(name, ()) if v]
        elif field.kind is Kind.REFERENCES:
            values[name] = _split(first(name))
        elif field.kind is Kind.YES_NO:
            values[name] = first(name) == "yes"
        elif field.kind is Kind.MOMENT:
            text = first(name)
            if text:
                values[name] = _moment(text, name)
        elif first(name):
            values[name] = first(name)
    try:
        return ConsentDraft.model_validate(values)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        label = next((f.label for f in FIELDS if f.name == where.split(".")[0]), where)
        raise InputError(f"{label}: {problem['msg'].lower()}; correct it", field=where) from error


def _exclusions(form: Mapping[str, Sequence[str]]) -> list[ExclusionDraft]:
    found = []
    index = 0
    while any(exclusion_name(index, part) in form for part in EXCLUSION_PARTS):
        recipients = [v for v in form.get(exclusion_name(index, "recipients"), ()) if v]
        categories = [v for v in form.get(exclusion_name(index, "data_categories"), ()) if v]
        purposes = [v for v in form.get(exclusion_name(index, "purposes"), ()) if v]
        notes = form.get(exclusion_name(index, "note"), ())
        note = notes[0].strip() if notes else ""
        if recipients or categories or purposes:
            found.append(
                ExclusionDraft(
                    recipients=recipients, data_categories=categories, purposes=purposes, note=note
                )
            )
        elif note:
            raise InputError(
                "a limit has a note but names no recipient, information or purpose; tick what "
                "the person does not want shared",
                field=exclusion_name(index, "note"),
            )
        index += 1
    return found
