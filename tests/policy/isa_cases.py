"""The ISA lint cases kept as data (tests/cases/isa_lint): loading them and applying them.

Each case starts from ``base.yaml`` and changes it with ``set`` (``dotted.path: value``;
an index one past the end appends) and ``remove`` (dotted paths), and may change the
context (``today``, ``adopted_on``, ``confirmed_procedures``). The library tests and the
CLI tests both run them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from infoshare.domain.agreement import InformationSharingAgreement
from infoshare.policy.isa_lint import LintContext, RuleId

CASES_DIR = Path(__file__).resolve().parents[1] / "cases" / "isa_lint"
BASE = yaml.safe_load((CASES_DIR / "base.yaml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Case:
    rule: RuleId
    file: str
    passing: bool
    description: str
    agreement: dict[str, Any]
    context: dict[str, Any]
    field: str | None
    clause: str | None

    @property
    def id(self) -> str:
        side = "passes" if self.passing else "fails"
        return f"{self.rule}-{side}-{self.description}"

    def isa(self) -> InformationSharingAgreement:
        return InformationSharingAgreement.model_validate(self.agreement)

    def lint_context(self) -> LintContext:
        confirmed = self.context.get("confirmed_procedures")
        return LintContext(
            today=self.context["today"],
            adopted_on=dict(self.context.get("adopted_on") or {}),
            confirmed_procedures=(
                None
                if confirmed is None
                else {code: frozenset(ids) for code, ids in confirmed.items()}
            ),
        )

    def cli_args(self) -> list[str]:
        """The ``isa lint`` options that give this case's context."""
        args = ["--pack", "leeds-2002", "--today", self.context["today"].isoformat()]
        for code, when in (self.context.get("adopted_on") or {}).items():
            args += ["--adopted", f"{code}={when.isoformat()}"]
        for code, ids in (self.context.get("confirmed_procedures") or {}).items():
            args += ["--confirmed", f"{code}={','.join(ids)}"]
        return args


def _steps(path: str) -> list[str | int]:
    return [int(part) if part.isdigit() else part for part in path.split(".")]


def _set(data: Any, path: str, value: Any) -> None:
    *parents, last = _steps(path)
    for step in parents:
        data = data[step]
    if isinstance(data, list) and last == len(data):
        data.append(value)
    else:
        data[last] = value


def _remove(data: Any, path: str) -> None:
    *parents, last = _steps(path)
    for step in parents:
        data = data[step]
    del data[last]


def apply(change: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The base agreement and context with ``change`` applied."""
    agreement = copy.deepcopy(BASE["agreement"])
    for path, value in (change.get("set") or {}).items():
        _set(agreement, path, copy.deepcopy(value))
    for path in change.get("remove") or []:
        _remove(agreement, path)
    context = {**copy.deepcopy(BASE["context"]), **(change.get("context") or {})}
    return agreement, context


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CASES_DIR.glob("ISA*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rule = RuleId(data["rule"])
        for passing, key in ((True, "passing"), (False, "failing")):
            for change in data.get(key) or []:
                agreement, context = apply(change)
                cases.append(
                    Case(
                        rule=rule,
                        file=path.name,
                        passing=passing,
                        description=change["description"],
                        agreement=agreement,
                        context=context,
                        field=change.get("field"),
                        clause=change.get("clause"),
                    )
                )
    return cases


CASES = load_cases()


def base_isa() -> InformationSharingAgreement:
    return InformationSharingAgreement.model_validate(BASE["agreement"])


def base_context() -> LintContext:
    return LintContext(
        today=BASE["context"]["today"],
        adopted_on={code: when for code, when in BASE["context"]["adopted_on"].items()},
    )
