"""``infoshare isa lint`` and ``isa rules`` as an ISA author uses them: no database needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from infoshare.agreements import EXAMPLES_DIR
from infoshare.cli.main import app
from infoshare.policy.isa_lint import RULES, RULES_BY_ID, Severity
from tests.policy.isa_cases import BASE, CASES, Case

runner = CliRunner()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "agreements.md"
ADOPTED = ["--adopted", "LCC=2002-11-27", "--adopted", "EDL=2002-12-11"]
ADOPTED += ["--adopted", "WYP=2003-01-22"]


def lint(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["isa", "lint", *(str(a) for a in args)])
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, data: object, name: str = "isa.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_clean_agreement_exits_0() -> None:
    path = EXAMPLES_DIR / "hospital-discharge.yaml"
    code, out, _ = lint(path, "--today", "2003-09-01", *ADOPTED)
    assert code == 0, out
    assert out.strip() == (
        "LEEDS-ISA-2003-001 v1 against leeds-2002 as at 2003-09-01: 0 errors, 0 warnings; "
        "the agreement may be activated"
    )


def test_warnings_alone_exit_0_and_are_each_printed_with_a_fix() -> None:
    path = EXAMPLES_DIR / "housing-support-warnings.yaml"
    code, out, _ = lint(path, "--today", "2003-09-01", *ADOPTED)
    assert code == 0, out
    assert out.count(": warning ISA") == 4
    assert out.count("    fix: ") == 4
    assert "0 errors, 4 warnings; the agreement may be activated" in out


def test_errors_exit_1_with_file_line_rule_clause_field_message_and_fix() -> None:
    path = EXAMPLES_DIR / "domestic-violence-pilot-expired.yaml"
    code, out, _ = lint(path, "--today", "2003-09-01", *ADOPTED)
    assert code == 1
    line = path.read_text().splitlines().index("end_date: 2003-08-31") + 1
    first, fix = out.splitlines()[:2]
    assert first == (
        f"{path}:{line}: error ISA041 agreement-ended (Section 1.1) end_date: "
        "the agreement ended on 2003-08-31; no sharing may rely on it"
    )
    assert fix.startswith("    fix: agree an amended version")
    assert "1 error, 0 warnings; the agreement cannot be activated" in out


def test_the_pack_alone_says_which_parties_had_not_adopted_the_protocol() -> None:
    code, out, _ = lint(EXAMPLES_DIR / "child-protection.yaml", "--today", "2003-09-01")
    assert code == 1
    assert out.count("ISA004 party-not-adopted (Procedure C1)") == 3  # EDL, LCC and WYP


def test_json_output_carries_every_field_and_the_line(tmp_path: Path) -> None:
    data = {**BASE["agreement"], "security": None}
    del data["security"]
    path = write(tmp_path, data)
    code, out, _ = lint(
        path, "--today", "2003-09-01", "--adopted", "LCC=2002-11-27", "--format", "json"
    )
    assert code == 1
    report = json.loads(out)
    assert (report["pack"], report["today"], report["errors"], report["warnings"]) == (
        "leeds-2002",
        "2003-09-01",
        1,
        0,
    )
    [finding] = report["findings"]
    assert finding["rule_id"] == "ISA036"
    assert finding["rule"] == "no-security-arrangements"
    assert finding["severity"] == "error"
    assert finding["clause"] == "Procedure B1"
    assert finding["field"] == "security"
    assert isinstance(finding["line"], int)
    assert finding["message"]
    assert finding["fix"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_case_gives_the_same_verdict_through_the_cli(case: Case, tmp_path: Path) -> None:
    path = write(tmp_path, case.agreement)
    code, out, err = lint(path, *case.cli_args(), "--format", "json")
    assert err == ""
    report = json.loads(out)
    fired = [f for f in report["findings"] if f["rule_id"] == case.rule.value]
    assert bool(fired) is not case.passing
    assert code == (1 if report["errors"] else 0)
    if fired and RULES_BY_ID[case.rule].severity is Severity.ERROR:
        assert code == 1
    if case.field is not None:
        assert case.field in [f["field"] for f in fired]


def test_malformed_yaml_exits_1_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("reference: X\ntitle: [oops\nparties: []\n", encoding="utf-8")
    code, out, err = lint(path)
    assert code == 1
    assert out == ""
    assert f"{path}:3: (file): malformed YAML" in err


def test_schema_problems_exit_1_naming_file_line_and_field(tmp_path: Path) -> None:
    data = yaml.safe_load(yaml.safe_dump(BASE["agreement"]))
    data["purposes"][0]["consent_model"] = "implied"
    path = write(tmp_path, data)
    code, _, err = lint(path)
    assert code == 1
    lines = path.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "consent_model: implied" in text)
    assert f"{path}:{line}: purposes[0].consent_model: `implied` is not allowed here" in err


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    code, _, err = lint(tmp_path / "nowhere.yaml")
    assert code == 1
    assert "is not a file" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--today", "1/9/2003"], "`1/9/2003` is not a date"),
        (["--adopted", "LCC"], "`LCC` is not CODE=DATE"),
        (["--adopted", "LCC=soon"], "`soon` is not a date"),
        (["--confirmed", "A1,B1"], "`A1,B1` is not CODE=PROCEDURES"),
        (["--pack", "leeds-2020"], "`leeds-2020` is neither a built-in pack"),
    ],
)
def test_bad_options_are_input_errors(args: list[str], message: str) -> None:
    code, out, err = lint(EXAMPLES_DIR / "hospital-discharge.yaml", *args)
    assert code == 1
    assert out == ""
    assert message in err


def test_an_unknown_protocol_in_the_file_points_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, {**BASE["agreement"], "protocol": "leeds-1999"})
    code, _, err = lint(path)
    assert code == 1
    line = path.read_text().splitlines().index("protocol: leeds-1999") + 1
    assert f"({path}:{line})" in err
    assert "`leeds-1999`" in err


def test_another_pack_can_be_named(tmp_path: Path) -> None:
    path = write(tmp_path, BASE["agreement"])
    code, out, _ = lint(path, "--pack", "uk-2018", "--today", "2003-09-01")
    assert code == 1
    assert "ISA001 protocol-mismatch (Section 1.1) protocol:" in out


def test_rules_in_markdown_are_the_docs_table() -> None:
    result = runner.invoke(app, ["isa", "rules", "--format", "markdown"])
    assert result.exit_code == 0
    assert result.stdout in DOCS.read_text(encoding="utf-8")


def test_rules_as_json_list_every_rule() -> None:
    result = runner.invoke(app, ["isa", "rules", "--format", "json"])
    rows = json.loads(result.stdout)
    assert [r["rule_id"] for r in rows] == [r.id.value for r in RULES]
    assert {r["severity"] for r in rows} == {"error", "warning"}
