"""Reading an Information Sharing Agreement from YAML, keeping the line of every field.

Agreements are written and reviewed as files (Appendix 3 is a document, not a form), so a
problem in one must point at its line: ``discharge.yaml:23 purposes[0].consent_model`` is
quicker to fix than a path alone. Parsing is pure (text in, agreement out); the shell reads
the file. Every schema problem is reported at once in one ``AgreementFileError``; what the
schema accepts but the protocol does not is the lint's business (``policy.isa_lint``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from infoshare.domain.agreement import InformationSharingAgreement
from infoshare.errors import AgreementFileError, PackProblem
from infoshare.protocol.validate import render_path, value_shape
from infoshare.protocol.yaml_source import YamlFile, parse_yaml

#: a path into an agreement: field names and list indexes, outermost first
FieldPath = Sequence[str | int]

WHOLE_FILE = "(file)"


@dataclass(frozen=True, slots=True)
class AgreementFile:
    """An agreement read from a file: the agreement, the file's name and its lines."""

    source: str
    agreement: InformationSharingAgreement
    yaml: YamlFile | None = None

    def line_of(self, path: FieldPath) -> int | None:
        """The 1-based line of ``path``, or of the deepest part of it the file has."""
        return self.yaml.line_of(path) if self.yaml is not None else None


def field_name(path: FieldPath) -> str:
    """``("purposes", 0, "legal_grounds")`` as ``purposes[0].legal_grounds``."""
    return render_path(path)


def parse_agreement(text: str, source: str) -> AgreementFile:
    """Parse the agreement in ``text`` (the file ``source``); raise ``AgreementFileError``."""
    parsed, problems = parse_yaml(source, text, "")
    if parsed is None:
        raise AgreementFileError(problems)
    if not isinstance(parsed.data, dict):
        shape = "nothing" if parsed.data is None else value_shape(parsed.data)
        reason = (
            f"the file holds {shape}; an agreement is a mapping of fields such as "
            "`reference`, `title`, `parties` (see docs/agreements.md)"
        )
        raise AgreementFileError([*problems, PackProblem(source, WHOLE_FILE, reason, 1)])
    try:
        agreement = InformationSharingAgreement.model_validate(parsed.data)
    except ValidationError as error:
        problems += [_problem(source, detail, parsed) for detail in error.errors()]
        raise AgreementFileError(problems) from None
    if problems:
        raise AgreementFileError(problems)
    return AgreementFile(source, agreement, parsed)


def dump_agreement(agreement: InformationSharingAgreement) -> str:
    """The agreement as YAML that ``parse_agreement`` reads back to an equal agreement."""
    data = agreement.model_dump(mode="python", exclude_defaults=True)
    data = {"reference": agreement.reference, **data}
    return yaml.safe_dump(_plain(data), sort_keys=False, allow_unicode=True, width=100)


def _plain(value: Any) -> Any:
    # StrEnum members are str subclasses that safe_dump refuses; dates stay dates.
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _problem(source: str, detail: ErrorDetails, parsed: YamlFile) -> PackProblem:
    loc = detail["loc"]
    line = parsed.line_of(loc)
    location = render_path(loc) or WHOLE_FILE
    return PackProblem(source, location, _reason(detail), line)


def _reason(detail: ErrorDetails) -> str:
    kind = detail["type"]
    loc = detail["loc"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    if kind == "missing":
        return f"missing required field `{loc[-1]}`; add it (see docs/agreements.md)"
    if kind == "extra_forbidden":
        return f"unknown field `{loc[-1]}`; remove it or correct its spelling"
    if kind == "enum":
        return f"`{value}` is not allowed here; use one of {ctx.get('expected', '')}"
    if kind in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
        return f"`{value}` is not a date; write it as YYYY-MM-DD, e.g. `2003-04-01`"
    if kind == "value_error":
        # Our own validators already word their messages for the user.
        return str(ctx.get("error", detail["msg"]))
    message = detail["msg"]
    message = message[:1].lower() + message[1:]
    return f"{message}; got {value_shape(value)}"
