"""The example agreements lint as their comments say, under leeds-2002 in September 2003:
with the three awaited parties' approval given, and with the pack's own adoption state (the
demo's), where only those parties' agreements gain errors (Procedure C1)."""

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
    "community-mental-health-shared-care.yaml": [],
    "intermediate-care-pilot-expired.yaml": [(RuleId.AGREEMENT_ENDED, Severity.ERROR)],
}
#: the parties the pack records as awaiting approval on 1 October 2002
AWAITED = {"LCC", "EDL", "WYP"}


def test_every_example_is_accounted_for() -> None:
    assert sorted(p.name for p in example_paths()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_lints_as_described(name: str) -> None:
    path = EXAMPLES_DIR / name
    isa = parse_agreement(path.read_text(encoding="utf-8"), name).agreement
    findings = lint(isa, load_builtin_pack("leeds-2002"), CONTEXT)
    assert [(f.rule_id, f.severity) for f in findings] == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_with_the_packs_own_adoption_only_the_awaited_parties_add_errors(name: str) -> None:
    path = EXAMPLES_DIR / name
    isa = parse_agreement(path.read_text(encoding="utf-8"), name).agreement
    findings = lint(isa, load_builtin_pack("leeds-2002"), LintContext(today=CONTEXT.today))
    not_adopted = [f for f in findings if f.rule_id is RuleId.PARTY_NOT_ADOPTED]
    others = [(f.rule_id, f.severity) for f in findings if f not in not_adopted]
    assert others == EXPECTED[name]
    awaited = [code for code in isa.party_codes if code in AWAITED]
    assert [f.message.split("`")[1] for f in not_adopted] == awaited
    assert all(f.severity is Severity.ERROR and f.clause == "Procedure C1" for f in not_adopted)


def test_the_demo_has_agreements_its_approved_parties_can_put_in_force() -> None:
    pack = load_builtin_pack("leeds-2002")
    isa = parse_agreement(
        (EXAMPLES_DIR / "community-mental-health-shared-care.yaml").read_text(encoding="utf-8"),
        "community-mental-health-shared-care.yaml",
    ).agreement
    assert lint(isa, pack, LintContext(today=CONTEXT.today)) == []
    assert {p.purpose for p in isa.purposes} == {"care", "support"}


def test_the_examples_cover_the_partnerships_of_issue_4() -> None:
    parties = {}
    for path in example_paths():
        isa = parse_agreement(path.read_text(encoding="utf-8"), path.name).agreement
        parties[path.name] = set(isa.party_codes)
    assert parties["hospital-discharge.yaml"] == {"LTHT", "LCC"}
    assert parties["child-protection.yaml"] == {"EDL", "LCC", "WYP"}
    assert parties["mental-health-crisis.yaml"] == {"LMHST", "WYP", "WYMAS"}
    pcts = {"WLPCT", "NWLPCT", "NELPCT", "ELPCT", "SLPCT"}
    assert parties["community-mental-health-shared-care.yaml"] == {"LMHST", "LTHT"} | pcts
    assert parties["intermediate-care-pilot-expired.yaml"] == {"LTHT", "ELPCT", "SLPCT"}
    assert parties["planning-statistics.yaml"] == {
        "WLPCT",
        "NWLPCT",
        "NELPCT",
        "ELPCT",
        "SLPCT",
        "LCC",
    }
