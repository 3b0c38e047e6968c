"""``infoshare pack``: list, validate and show, as an author and a reader use them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infoshare.cli.main import app
from infoshare.protocol import builtin_pack_path

runner = CliRunner()


@pytest.fixture
def broken_pack(tmp_path: Path) -> Path:
    target = tmp_path / "broken"
    shutil.copytree(builtin_pack_path("leeds-2002"), target)
    methods = target / "transfer-methods.yaml"
    methods.write_text(methods.read_text().replace("procedure: B5", "procedure: B9"))
    grounds = target / "legal-grounds.yaml"
    text = grounds.read_text()
    grounds.write_text(text.replace("  purposes: [crime]\n", "  purposes: [crimes]\n", 1))
    return target


def line_of(path: Path, needle: str) -> int:
    return path.read_text().split("\n").index(needle) + 1


@pytest.mark.parametrize("name", ["leeds-2002", "uk-2018"])
def test_validate_accepts_the_builtin_packs(name: str) -> None:
    result = runner.invoke(app, ["pack", "validate", str(builtin_pack_path(name))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{name} ")
    assert "is valid" in lines[0]


def test_validate_summarises_leeds() -> None:
    result = runner.invoke(app, ["pack", "validate", "leeds-2002"])
    assert result.exit_code == 0
    assert "16 organisations (10 parties, 7 adopted), 10 purposes, 15 principles, " in result.stdout
    assert "20 procedures" in result.stdout


def test_validate_lists_every_problem_with_file_and_line_and_exits_1(broken_pack: Path) -> None:
    result = runner.invoke(app, ["pack", "validate", str(broken_pack)])
    assert result.exit_code == 1
    methods = broken_pack / "transfer-methods.yaml"
    grounds = broken_pack / "legal-grounds.yaml"
    method_line = line_of(methods, "  procedure: B9")
    ground_line = line_of(grounds, "  purposes: [crimes]")
    lines = result.stderr.strip().splitlines()
    assert (
        f"{grounds}:{ground_line}: legal_grounds[17].purposes[0]: unknown purpose `crimes`; "
        in (lines[0])
    )
    assert lines[1].startswith(
        f"{methods}:{method_line}: transfer_methods[4].procedure: unknown procedure `B9`; "
    )
    assert lines[2] == f"2 problems found in {broken_pack}; the pack is not valid"
    assert result.stdout == ""


def test_validate_reports_malformed_yaml_with_its_line(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path("uk-2018"), pack)
    (pack / "review.yaml").write_text("initial_monitoring_months: 6\n  then: [\n")
    result = runner.invoke(app, ["pack", "validate", str(pack)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{pack / 'review.yaml'}:2: (file): malformed YAML: ")


def test_validate_of_a_missing_directory_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["pack", "validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "is not a directory" in result.stderr


def test_list_names_the_builtin_packs() -> None:
    result = runner.invoke(app, ["pack", "list"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "leeds-2002" in result.stdout
    assert "uk-2018" in result.stdout
    assert "2002-10-01" in result.stdout


def test_show_renders_the_protocol_for_reading() -> None:
    result = runner.invoke(app, ["pack", "show", "leeds-2002"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "7 of 10 parties have adopted" in out
    assert "West Yorkshire Police" in out
    assert "awaited" in out
    assert "Principle 15" in out
    assert "Restrictions on the use of statistical and anonymised information" in out
    assert "Crime and Disorder Act 1998 s.115" in out
    assert "without consent?" in out
    assert "yes (DPA 1998 s.2(e))" in out
    assert "safe-haven fax" in out
    assert "first review 6–12 months after implementation" in out
    assert "counts from 1 to 5 suppressed" in out
    assert "not legal advice" in out


def test_show_marks_identifiable_purposes() -> None:
    result = runner.invoke(
        app, ["pack", "show", "uk-2018", "--only", "purposes"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    rows = {
        line.split("│")[1].strip(): line.split("│")[3].strip()
        for line in result.stdout.splitlines()
        if line.startswith("│")
    }
    assert rows["care"] == "yes"
    assert rows["complaints"] == "yes"
    assert rows["research"] == "no"
    assert "Legal grounds" not in result.stdout


def test_show_of_an_unknown_pack_says_what_exists() -> None:
    result = runner.invoke(app, ["pack", "show", "leeds-2020"])
    assert result.exit_code == 1
    assert "`leeds-2020` is neither a built-in pack" in result.stderr
    assert "`uk-2018`" in result.stderr


def test_show_of_a_broken_pack_lists_its_problems(broken_pack: Path) -> None:
    result = runner.invoke(app, ["pack", "show", str(broken_pack)])
    assert result.exit_code == 1
    assert "unknown procedure `B9`" in result.stderr
