"""Loading a pack reports every problem at once, with its file, location and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from infoshare.errors import PackError, PackProblem
from infoshare.protocol import load_pack, load_pack_texts
from tests.protocol.pack_editing import edit


def problems_of(path: Path) -> list[PackProblem]:
    with pytest.raises(PackError) as caught:
        load_pack(path)
    return caught.value.problems


def test_cross_reference_problems_are_all_reported_at_once(leeds_copy: Path) -> None:
    ground_line = edit(
        leeds_copy / "legal-grounds.yaml",
        "  purposes: [crime]\n  relies_on: [dpa-1998-sch2-5",
        "  purposes: [crimes]\n  relies_on: [dpa-1998-sch2-5",
    )
    method_line = edit(leeds_copy / "transfer-methods.yaml", "procedure: B5", "procedure: B9")
    duplicate_line = edit(
        leeds_copy / "data-categories.yaml", "- id: employment", "- id: education"
    )
    edit(leeds_copy / "principles.yaml", "- id: P11", "- id: P16")
    category_line = edit(
        leeds_copy / "data-categories.yaml",
        "  sensitive_under: DPA 1998 s.2(b)\n",
        "",
    )

    problems = problems_of(leeds_copy)

    assert (
        PackProblem(
            "legal-grounds.yaml",
            "legal_grounds[17].purposes[0]",
            "unknown purpose `crimes`; use one of `care`, `commissioning`, `complaints`, `crime`, "
            "`performance-audit`, `planning`, `protection`, `research`, `strategy`, `support`",
            ground_line,
        )
        in problems
    )
    assert PackProblem(
        "transfer-methods.yaml",
        "transfer_methods[4].procedure",
        "unknown procedure `B9`; use one of "
        + ", ".join(f"`{p}`" for p in [*(f"A{n}" for n in range(1, 8)),
                                       *(f"B{n}" for n in range(1, 9)),
                                       *(f"C{n}" for n in range(1, 6))]),
        method_line,
    ) in problems  # fmt: skip
    assert (
        PackProblem(
            "data-categories.yaml",
            "data_categories[8].id",
            "duplicate id `education` (first used at data_categories[7]); give each a unique id",
            duplicate_line,
        )
        in problems
    )
    assert (
        PackProblem(
            "principles.yaml",
            "principles",
            "principles are numbered with gaps: P11 missing; number them P1 to P16",
            2,  # the list's first line, after the comment
        )
        in problems
    )
    assert (
        PackProblem(
            "data-categories.yaml",
            "data_categories[14].sensitive_under",
            "`political-opinions` is sensitive but does not say under which provision; "
            "set sensitive_under, e.g. `DPA 1998 s.2(e)`",
            category_line - 4,  # the entry's first line: the field itself is gone
        )
        in problems
    )
    assert len(problems) == 5


def test_schema_problems_in_several_files_are_reported_together(leeds_copy: Path) -> None:
    flag_line = edit(
        leeds_copy / "purposes.yaml",
        "Managing and planning services\n  summary: Managing services and planning future "
        "provision from information about populations.\n  needs_identifiable_data: false",
        "Managing and planning services\n  summary: Managing services and planning future "
        "provision from information about populations.\n  needs_identifiable_data: maybe",
    )
    code_line = edit(leeds_copy / "organisations.yaml", "- code: EDL", "- code: edl")
    extra_line = edit(leeds_copy / "review.yaml", "then_every_months: 12", "then_every_month: 12")

    problems = problems_of(leeds_copy)

    assert problems == [
        PackProblem(
            "organisations.yaml",
            "organisations[8].code",
            "`edl` should be 2 to 12 capital letters or digits, e.g. `LTHT`",
            code_line,
        ),
        PackProblem(
            "purposes.yaml",
            "purposes[5].needs_identifiable_data",
            "input should be a valid boolean, unable to interpret input; got `maybe`",
            flag_line + 2,
        ),
        PackProblem(
            "review.yaml",
            "review.then_every_months",
            "missing required field `then_every_months`; add it",
            2,  # the mapping's first line, after the comment
        ),
        PackProblem(
            "review.yaml",
            "review.then_every_month",
            "unknown field `then_every_month`; remove it or correct its spelling",
            extra_line,
        ),
    ]


def test_malformed_yaml_names_the_file_and_line(leeds_copy: Path) -> None:
    line = edit(leeds_copy / "roles.yaml", "- id: steering-group\n", "- id: [steering-group\n")
    problems = problems_of(leeds_copy)
    assert len(problems) == 1
    assert problems[0].file == "roles.yaml"
    assert problems[0].location == "(file)"
    assert problems[0].reason.startswith("malformed YAML: ")
    assert problems[0].line is not None
    assert line <= problems[0].line <= line + 2


def test_duplicate_yaml_keys_are_problems_not_silently_the_last(leeds_copy: Path) -> None:
    line = edit(
        leeds_copy / "purposes.yaml",
        "- id: care\n",
        "- id: care\n  id: cure\n",
    )
    problems = problems_of(leeds_copy)
    assert problems == [
        PackProblem(
            "purposes.yaml",
            "purposes[0]",
            "key `id` appears twice in the same mapping; keep one",
            line + 1,
        )
    ]


def test_missing_empty_and_unknown_files_are_problems(leeds_copy: Path) -> None:
    (leeds_copy / "roles.yaml").unlink()
    (leeds_copy / "review.yaml").write_text("# nothing yet\n")
    (leeds_copy / "purpose.yaml").write_text("[]\n")
    problems = problems_of(leeds_copy)
    assert [(p.file, p.location) for p in problems] == [
        ("purpose.yaml", "(file)"),
        ("roles.yaml", "(file)"),
        ("review.yaml", "(file)"),
    ]
    assert problems[0].reason.startswith("unknown pack file `purpose.yaml`; a pack holds only")
    assert problems[1].reason == "missing; add `roles.yaml` holding a list of roles"
    assert problems[2].reason == (
        "the file is empty; it should hold a mapping: the review schedule"
    )


def test_a_file_of_the_wrong_shape_says_what_it_should_hold(leeds_copy: Path) -> None:
    (leeds_copy / "purposes.yaml").write_text("care: yes\n")
    problems = problems_of(leeds_copy)
    assert problems == [
        PackProblem(
            "purposes.yaml", "purposes", "the file should hold a list of purposes, not a mapping", 1
        )
    ]


def test_a_path_that_is_not_a_directory_is_a_problem(tmp_path: Path) -> None:
    problems = problems_of(tmp_path / "nowhere")
    assert len(problems) == 1
    assert problems[0].reason.startswith(f"`{tmp_path / 'nowhere'}` is not a directory")


def test_text_that_is_not_utf8_is_a_problem(leeds_copy: Path) -> None:
    (leeds_copy / "sections.yaml").write_bytes(b"- id: '1.1'\n  title: \xff\n")
    problems = problems_of(leeds_copy)
    assert [(p.file, p.reason) for p in problems] == [
        ("sections.yaml", "not UTF-8 text (byte 21); save the file as UTF-8")
    ]


def test_pack_error_message_names_the_count_and_the_first_problem(leeds_copy: Path) -> None:
    edit(leeds_copy / "organisations.yaml", "- code: EDL", "- code: edl")
    with pytest.raises(PackError) as caught:
        load_pack(leeds_copy)
    assert "1 problem" in caught.value.message
    assert "organisations.yaml" in caught.value.message


def test_sections_are_optional(leeds_copy: Path) -> None:
    (leeds_copy / "sections.yaml").unlink()
    edit(leeds_copy / "roles.yaml", "  clauses: [Section 4.1]\n", "")  # now cites nothing missing
    problems = problems_of(leeds_copy)  # the other roles still cite sections
    assert {p.file for p in problems} == {"roles.yaml"}
    assert all("which the pack does not define" in p.reason for p in problems)


def test_load_pack_texts_loads_a_pack_without_a_directory(leeds_copy: Path) -> None:
    texts = {p.name: p.read_text(encoding="utf-8") for p in leeds_copy.glob("*.yaml")}
    assert load_pack_texts(texts) == load_pack(leeds_copy)
