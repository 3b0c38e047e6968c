"""The example agreements lint as their comments say, under leeds-2002 in September 2003."""

from __future__ import annotations

from datetime import date

import pytest

from infoshare.agreements import EXAMPLES_DIR, example_paths
from infoshare.domain.agreement_yaml import parse_agreement
from infoshare.policy.isa_lint import LintContext, RuleId, Severity, lint
from infoshare.protocol.loader import load_builtin_pack

#: the three parties the pack records as still awaiting approval, approved soon after
CONTEXT = LintContext(
    today=date(2003, 9, 1),
    adopted_on={"LCC": date(2002, 11, 27), "EDL": date(2002, 12, 11), "WYP": date(2003, 1, 22)},
)

EXPECTED: dict[str, list[tuple[RuleId, Severity]]] = {
    "hospital-discharge.yaml": [],
    "child-protection.yaml": [],
    "planning-statistics.yaml": [],
    "mental-health-crisis.yaml": [(RuleId.SUPPORTING_MEMBER, Severity.WARNING)],
    "housing-support-warnings.yaml": [
        (RuleId.PARTY_WITHOUT_CONTACT, Severity.WARNING),
        (RuleId.PURPOSE_WITHOUT_JUSTIFICATION, Severity.WARNING),
        (RuleId.UNUSED_CATEGORY, Severity.WARNING),
        (RuleId.NO_DATA_QUALITY_ARRANGEMENTS, Severity.WARNING),
    ],
    "domestic-violence-pilot-expired.yaml": [(RuleId.AGREEMENT_ENDED, Severity.ERROR)],
}


def test_every_example_is_accounted_for() -> None:
    assert sorted(p.name for p in example_paths()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_lints_as_described(name: str) -> None:
    path = EXAMPLES_DIR / name
    isa = parse_agreement(path.read_text(encoding="utf-8"), name).agreement
    findings = lint(isa, load_builtin_pack("leeds-2002"), CONTEXT)
    assert [(f.rule_id, f.severity) for f in findings] == EXPECTED[name]


def test_the_examples_cover_the_partnerships_of_issue_4() -> None:
    parties = {}
    for path in example_paths():
        isa = parse_agreement(path.read_text(encoding="utf-8"), path.name).agreement
        parties[path.name] = set(isa.party_codes)
    assert parties["hospital-discharge.yaml"] == {"LTHT", "LCC"}
    assert parties["child-protection.yaml"] == {"EDL", "LCC", "WYP"}
    assert parties["mental-health-crisis.yaml"] == {"LMHST", "WYP", "WYMAS"}
    assert parties["planning-statistics.yaml"] == {
        "WLPCT",
        "NWLPCT",
        "NELPCT",
        "ELPCT",
        "SLPCT",
        "LCC",
    }
