"""The ISA lint: every rule passes its passing cases and fires on its failing ones.

The cases are data (tests/cases/isa_lint); each rule has at least one of each, and the
base agreement they start from is clean, so a failing case fails for its own rule.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare.domain.agreement import InformationSharingAgreement
from infoshare.domain.agreement_yaml import parse_agreement
from infoshare.policy.isa_lint import RULES, RULES_BY_ID, Finding, RuleId, Severity, errors, lint
from infoshare.protocol.loader import load_builtin_pack
from infoshare.protocol.schema import ProtocolPack
from tests.policy.isa_cases import CASES, Case, base_context, base_isa

DOCS = Path(__file__).resolve().parents[2] / "docs" / "agreements.md"


@pytest.fixture(scope="module")
def pack() -> ProtocolPack:
    return load_builtin_pack("leeds-2002")


def test_the_base_agreement_is_clean(pack: ProtocolPack) -> None:
    assert lint(base_isa(), pack, base_context()) == []


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    for rule_id in RuleId:
        sides = {case.passing for case in CASES if case.rule is rule_id}
        assert sides == {True, False}, f"{rule_id} {rule_id.slug} lacks cases: has {sides}"


def test_case_files_are_named_after_their_rule() -> None:
    for case in CASES:
        assert case.file == f"{case.rule.value}-{case.rule.slug}.yaml"


def test_rule_ids_are_contiguous_and_every_rule_is_registered() -> None:
    assert [r.id for r in RULES] == sorted(RuleId, key=lambda r: r.value)
    assert [r.id.value for r in RULES] == [f"ISA{n:03d}" for n in range(1, len(RULES) + 1)]
    assert len(RULES) >= 20


@pytest.mark.parametrize("case", [c for c in CASES if c.passing], ids=lambda c: c.id)
def test_passing_case_raises_no_finding_of_its_rule(case: Case, pack: ProtocolPack) -> None:
    findings = lint(case.isa(), pack, case.lint_context())
    assert [f for f in findings if f.rule_id is case.rule] == []


@pytest.mark.parametrize("case", [c for c in CASES if not c.passing], ids=lambda c: c.id)
def test_failing_case_raises_its_rule_where_it_says(case: Case, pack: ProtocolPack) -> None:
    findings = [f for f in lint(case.isa(), pack, case.lint_context()) if f.rule_id is case.rule]
    assert findings, f"{case.rule} did not fire"
    rule = RULES_BY_ID[case.rule]
    for finding in findings:
        assert finding.severity is rule.severity
        assert pack.cites(finding.clause), f"`{finding.clause}` is not a clause of the pack"
        assert finding.message
        assert finding.fix
        assert finding.message[0].islower() or finding.message[0] in "`"
    if case.field is not None:
        assert case.field in [f.field for f in findings]
    if case.clause is not None:
        assert {f.clause for f in findings} == {case.clause}


def test_errors_are_the_findings_that_block_activation(pack: ProtocolPack) -> None:
    isa = base_isa().model_copy(update={"data_quality": None, "security": None})
    findings = lint(isa, pack, base_context())
    assert {f.rule_id for f in findings} == {
        RuleId.NO_DATA_QUALITY_ARRANGEMENTS,
        RuleId.NO_SECURITY_ARRANGEMENTS,
    }
    assert [f.rule_id for f in errors(findings)] == [RuleId.NO_SECURITY_ARRANGEMENTS]


def test_findings_come_in_rule_order_then_file_order(pack: ProtocolPack) -> None:
    isa = base_isa().model_copy(
        update={"data_categories": ["shoe-size", *base_isa().data_categories, "hat-size"]}
    )
    findings = lint(isa, pack, base_context())
    ids = [f.rule_id.value for f in findings]
    assert ids == sorted(ids)
    unknown = [f.field for f in findings if f.rule_id is RuleId.UNKNOWN_CATEGORY]
    assert unknown == ["data_categories[0]", "data_categories[6]"]


def test_a_finding_reads_as_a_record() -> None:
    finding = Finding(RuleId.NO_RETENTION, Severity.ERROR, "Principle 2", ("retention",), "m", "f")
    assert finding.as_dict() == {
        "rule_id": "ISA035",
        "rule": "no-retention",
        "severity": "error",
        "clause": "Principle 2",
        "field": "retention",
        "message": "m",
        "fix": "f",
    }
    whole = Finding(RuleId.PARTY_NOT_ADOPTED, Severity.ERROR, "Procedure C1", (), "m", "f")
    assert whole.field == "(agreement)"


def test_every_rule_is_documented_with_its_severity_and_clause() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for rule in RULES:
        row = re.search(rf"^\| {rule.id.value} \| `{rule.name}` \|(.*)$", text, re.MULTILINE)
        assert row is not None, f"docs/agreements.md has no row for {rule.id} {rule.name}"
        cells = [cell.strip() for cell in row.group(1).split("|")]
        assert cells[0] == rule.severity.value
        assert cells[1] == rule.clause


def test_the_minimal_agreement_in_the_docs_is_clean(pack: ProtocolPack) -> None:
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"A minimal agreement.*?```yaml\n(.*?)```", text, re.DOTALL)
    assert block is not None
    isa = parse_agreement(block.group(1), "docs/agreements.md").agreement
    assert lint(isa, pack, base_context()) == []


# Properties. The agreements come from the cases, so they cover every rule's edge.
agreements_and_contexts = st.sampled_from(CASES)


@settings(max_examples=60, deadline=None)
@given(agreements_and_contexts, st.data())
def test_lint_does_not_depend_on_the_order_of_parties(case: Case, data: st.DataObject) -> None:
    pack = load_builtin_pack("leeds-2002")
    isa = case.isa()
    shuffled = isa.model_copy(update={"parties": data.draw(st.permutations(isa.parties))})

    def essence(findings: list[Finding]) -> list[tuple[str, str, str, str]]:
        return sorted((f.rule_id, f.severity, f.clause, f.message) for f in findings)

    context = case.lint_context()
    assert essence(lint(shuffled, pack, context)) == essence(lint(isa, pack, context))
    assert lint(isa, pack, context) == lint(isa, pack, context)


def _narrowed(
    isa: InformationSharingAgreement, row: int, category: int
) -> InformationSharingAgreement:
    rows = list(isa.need_to_know)
    kept = [c for i, c in enumerate(rows[row].categories) if i != category]
    rows[row] = rows[row].model_copy(update={"categories": kept})
    return isa.model_copy(update={"need_to_know": rows})


@settings(max_examples=80, deadline=None)
@given(agreements_and_contexts, st.data())
def test_narrowing_a_grant_never_adds_an_error(case: Case, data: st.DataObject) -> None:
    """Principle 7: granting a role less can reveal a warning (a category now unused), but
    never makes an agreement less lawful."""
    pack = load_builtin_pack("leeds-2002")
    isa = case.isa()
    narrowable = [i for i, row in enumerate(isa.need_to_know) if len(row.categories) > 1]
    if not narrowable:
        return
    row = data.draw(st.sampled_from(narrowable))
    category = data.draw(st.integers(0, len(isa.need_to_know[row].categories) - 1))
    context = case.lint_context()

    def error_kinds(agreement: InformationSharingAgreement) -> set[RuleId]:
        return {f.rule_id for f in errors(lint(agreement, pack, context))}

    assert error_kinds(_narrowed(isa, row, category)) <= error_kinds(isa)
