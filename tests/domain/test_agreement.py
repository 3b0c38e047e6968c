"""Information Sharing Agreements as files: what parses, and precise errors for what does not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from infoshare.agreements import example_paths
from infoshare.domain.agreement import (
    ConsentModel,
    InformationSharingAgreement,
    IsaStatus,
    Participation,
)
from infoshare.domain.agreement_yaml import dump_agreement, parse_agreement
from infoshare.errors import AgreementFileError, InputError
from tests.policy.isa_cases import BASE

GOOD = yaml.safe_dump(BASE["agreement"], sort_keys=False)


def problems_of(text: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(AgreementFileError) as info:
        parse_agreement(text, "isa.yaml")
    assert isinstance(info.value, InputError)
    return [(p.location, p.line, p.reason) for p in info.value.problems]


def test_a_good_file_parses_with_the_line_of_each_field() -> None:
    source = parse_agreement(GOOD, "isa.yaml")
    isa = source.agreement
    assert isa.reference == "TEST-ISA-001"
    assert isa.status is IsaStatus.ACTIVE
    assert isa.purposes[1].consent_model is ConsentModel.ANONYMISED_ONLY
    lines = GOOD.splitlines()
    line = source.line_of(("purposes", 1, "consent_model"))
    assert line is not None
    assert "consent_model: anonymised-only" in lines[line - 1]
    # A field the file leaves out points at the nearest thing that is there.
    assert source.line_of(("end_date",)) == 1


def test_unknown_purposes_and_parties_parse_so_the_lint_can_cite_the_clause() -> None:
    text = GOOD.replace("purpose: care", "purpose: marketing").replace("LCC", "NOWHERE")
    isa = parse_agreement(text, "isa.yaml").agreement
    assert isa.purposes[0].purpose == "marketing"
    assert "NOWHERE" in isa.party_codes


def test_malformed_yaml_names_file_and_line() -> None:
    text = "reference: X\ntitle: [unclosed\nparties: []\n"
    [(location, line, reason)] = problems_of(text)
    assert location == "(file)"
    assert line == 3
    assert reason.startswith("malformed YAML")


def test_a_file_that_is_not_a_mapping_is_refused() -> None:
    [(_, line, reason)] = problems_of("- just\n- a list\n")
    assert line == 1
    assert "a list" in reason


def test_every_schema_problem_is_reported_at_once_with_field_and_line() -> None:
    data = yaml.safe_load(GOOD)
    data["parties"][1]["does"] = "sometimes"
    data["colour"] = "blue"
    del data["title"]
    data["review_date"] = "next spring"
    text = yaml.safe_dump(data, sort_keys=False)
    found = {location: (line, reason) for location, line, reason in problems_of(text)}
    assert set(found) == {"parties[1].does", "colour", "title", "review_date"}
    lines = text.splitlines()
    line, reason = found["parties[1].does"]
    assert line is not None
    assert "does: sometimes" in lines[line - 1]
    assert "`sometimes`" in reason
    assert "'provides', 'receives' or 'both'" in reason
    assert "unknown field `colour`" in found["colour"][1]
    assert "missing required field `title`" in found["title"][1]
    assert "`next spring` is not a date" in found["review_date"][1]


@pytest.mark.parametrize(
    ("field", "value"),
    [("review_date", date(2003, 4, 1)), ("end_date", date(2003, 3, 1))],
)
def test_dates_out_of_order_name_the_field(field: str, value: date) -> None:
    data = yaml.safe_load(GOOD)
    data[field] = value
    text = yaml.safe_dump(data, sort_keys=False)
    [(location, line, reason)] = problems_of(text)
    assert location == field
    assert line is not None
    assert text.splitlines()[line - 1].startswith(f"{field}:")
    assert f"is not after start_date {data['start_date']}" in reason


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"reviewed_on": date(2003, 3, 1)}, "reviewed_on", "is before start_date 2003-04-01"),
        (
            {"reviewed_on": date(2004, 3, 31), "review_date": date(2004, 3, 31)},
            "review_date",
            "is not after reviewed_on 2004-03-31",
        ),
    ],
)
def test_a_review_falls_between_start_and_next_review(
    changes: dict[str, date], field: str, reason: str
) -> None:
    data = {**yaml.safe_load(GOOD), **changes}
    [(location, _, found)] = problems_of(yaml.safe_dump(data, sort_keys=False))
    assert location == field
    assert reason in found


def test_the_error_message_lists_every_problem_with_file_and_line() -> None:
    with pytest.raises(AgreementFileError) as info:
        parse_agreement("reference: X\n", "x.yaml")
    message = info.value.message
    assert message.startswith("the agreement file has")
    assert "x.yaml:1: title: missing required field `title`" in message
    assert info.value.field == "x.yaml:1"


def test_a_need_to_know_row_grants_at_least_one_category() -> None:
    data = yaml.safe_load(GOOD)
    data["need_to_know"][0]["categories"] = []
    [(location, _, _)] = problems_of(yaml.safe_dump(data))
    assert location == "need_to_know[0].categories"


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.name)
def test_examples_survive_a_round_trip_through_yaml(path: Path) -> None:
    isa = parse_agreement(path.read_text(encoding="utf-8"), path.name).agreement
    again = parse_agreement(dump_agreement(isa), "dumped.yaml").agreement
    assert again == isa


def test_what_each_party_does() -> None:
    isa = InformationSharingAgreement.model_validate(BASE["agreement"])
    provider = isa.parties[0].model_copy(update={"does": Participation.PROVIDES})
    assert provider.provides
    assert not provider.receives
    assert isa.parties[1].provides
    assert isa.parties[1].receives
    assert isa.party("LCC") == isa.parties[1]
    assert isa.party("WYP") is None


def test_unsigned_parties_are_those_without_a_dated_signature() -> None:
    isa = InformationSharingAgreement.model_validate(BASE["agreement"])
    assert isa.unsigned_parties == []
    pending = [isa.signatories[0], isa.signatories[1].model_copy(update={"signed_at": None})]
    assert isa.model_copy(update={"signatories": pending}).unsigned_parties == ["LCC"]


def test_an_agreement_is_anonymised_only_when_every_purpose_is() -> None:
    isa = InformationSharingAgreement.model_validate(BASE["agreement"])
    assert not isa.anonymised_only
    planning_only = isa.model_copy(update={"purposes": [isa.purposes[1]]})
    assert planning_only.anonymised_only
    assert not isa.model_copy(update={"purposes": []}).anonymised_only
