"""Loading a protocol pack from its directory, and the packs infoshare ships.

A pack is a directory of YAML files (``layout.py``). Loading reads them, checks each entry
against the schema (``schema.py``) and the entries against each other (``validate.py``), and
either returns a ``ProtocolPack`` or raises one ``PackError`` carrying every problem found,
each with its file, its location (``purposes[3].needs_identifiable_data``) and, where it can
be told, its line. Reading the files is the protocol package's only I/O: the rest is pure,
so ``load_pack_texts`` also serves packs that arrive some other way (an upload, a test).

Cross-reference checks need a whole, schema-valid pack, so they run once the schema
problems are fixed; all schema problems of all files are reported together.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from infoshare.errors import PackError, PackProblem, UnknownReferenceError
from infoshare.protocol.layout import FILE_BY_FIELD, FILE_BY_NAME, PACK_FILES
from infoshare.protocol.schema import PRINCIPLE_ID, PROCEDURE_ID, ProtocolPack
from infoshare.protocol.validate import render_path, validate_pack, value_shape
from infoshare.protocol.yaml_source import YamlFile, parse_yaml

#: a pack-level problem that belongs to no single entry
WHOLE_FILE = "(file)"

#: what each id pattern means, for authors who do not read regular expressions
_PATTERN_HINTS = {
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$": "lower-case words joined by dashes, e.g. `mental-health`",
    r"^[A-Z0-9]{2,12}$": "2 to 12 capital letters or digits, e.g. `LTHT`",
    PRINCIPLE_ID.pattern: "`P` and a number, e.g. `P7`",
    PROCEDURE_ID.pattern: "a capital letter and a number, e.g. `A5`",
}


def load_pack(path: Path) -> ProtocolPack:
    """Load and check the pack in the directory ``path``.

    Raises ``PackError`` listing every problem found.
    """
    if not path.is_dir():
        names = ", ".join(f.name for f in PACK_FILES if f.required)
        reason = f"`{path}` is not a directory; a pack is a directory holding {names}"
        raise PackError([PackProblem(str(path), "(pack)", reason)])
    texts: dict[str, str] = {}
    problems: list[PackProblem] = []
    for child in sorted(path.iterdir()):
        if child.suffix not in {".yaml", ".yml"} or not child.is_file():
            continue
        try:
            texts[child.name] = child.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            reason = f"not UTF-8 text (byte {error.start}); save the file as UTF-8"
            problems.append(PackProblem(child.name, WHOLE_FILE, reason))
            texts[child.name] = ""
    return _load(texts, problems)


def load_pack_texts(texts: Mapping[str, str]) -> ProtocolPack:
    """Load a pack from its files' texts, keyed by file name (``purposes.yaml`` …)."""
    return _load(texts, [])


def _load(texts: Mapping[str, str], problems: list[PackProblem]) -> ProtocolPack:
    unreadable = {p.file for p in problems}
    files: dict[str, YamlFile] = {}
    data: dict[str, Any] = {}
    for name in sorted(texts):
        if name not in FILE_BY_NAME:
            known = ", ".join(f.name for f in PACK_FILES)
            reason = f"unknown pack file `{name}`; a pack holds only {known}"
            problems.append(PackProblem(name, WHOLE_FILE, reason))
    for spec in PACK_FILES:
        if spec.name in unreadable:
            continue
        if spec.name not in texts:
            if spec.required:
                reason = f"missing; add `{spec.name}` holding {spec.holds}"
                problems.append(PackProblem(spec.name, WHOLE_FILE, reason))
            continue
        parsed, found = parse_yaml(spec.name, texts[spec.name], spec.field)
        problems += found
        if parsed is None:
            continue
        if parsed.data is None:
            reason = f"the file is empty; it should hold {spec.holds}"
            problems.append(PackProblem(spec.name, WHOLE_FILE, reason, 1))
            continue
        files[spec.field] = parsed
        data[spec.field] = parsed.data

    broken = {FILE_BY_NAME[p.file].field for p in problems if p.file in FILE_BY_NAME}
    try:
        pack = ProtocolPack.model_validate(data)
    except ValidationError as error:
        for detail in error.errors():
            field = str(detail["loc"][0]) if detail["loc"] else ""
            if field in broken or field not in FILE_BY_FIELD:
                continue  # already reported: the file is missing, empty or malformed
            problems.append(_schema_problem(detail, files.get(field)))
        raise PackError(problems) from None
    if problems:
        raise PackError(problems)

    for finding in validate_pack(pack):
        spec = FILE_BY_FIELD[str(finding.path[0])]
        source = files.get(spec.field)
        line = source.line_of(finding.path[1:]) if source is not None else None
        problems.append(PackProblem(spec.name, render_path(finding.path), finding.reason, line))
    if problems:
        raise PackError(problems)
    return pack


def _schema_problem(detail: ErrorDetails, source: YamlFile | None) -> PackProblem:
    loc = detail["loc"]
    spec = FILE_BY_FIELD[str(loc[0])]
    line = source.line_of(loc[1:]) if source is not None else None
    return PackProblem(spec.name, render_path(loc), _reason(detail, spec.holds), line)


def _reason(detail: ErrorDetails, holds: str) -> str:
    kind = detail["type"]
    loc = detail["loc"]
    value = detail.get("input")
    if kind == "missing":
        return f"missing required field `{loc[-1]}`; add it"
    if kind == "extra_forbidden":
        return f"unknown field `{loc[-1]}`; remove it or correct its spelling"
    if kind == "string_pattern_mismatch":
        pattern = str((detail.get("ctx") or {}).get("pattern", ""))
        hint = _PATTERN_HINTS.get(pattern, f"match `{pattern}`")
        return f"`{value}` should be {hint}"
    if len(loc) == 1 and kind in {"list_type", "model_type", "dict_type"}:
        return f"the file should hold {holds}, not {value_shape(value)}"
    message = detail["msg"]
    message = message[:1].lower() + message[1:]
    return f"{message}; got {value_shape(value)}"


def _builtin_root() -> Path:
    return Path(str(resources.files("infoshare.packs")))


def builtin_pack_names() -> list[str]:
    """The names of the packs shipped with infoshare, e.g. ``["leeds-2002", "uk-2018"]``."""
    root = _builtin_root()
    return sorted(child.name for child in root.iterdir() if (child / "pack.yaml").is_file())


def builtin_pack_path(name: str) -> Path:
    """The directory of the built-in pack ``name``; ``UnknownReferenceError`` if there is none."""
    names = builtin_pack_names()
    if name not in names:
        known = ", ".join(f"`{n}`" for n in names)
        raise UnknownReferenceError(
            f"there is no built-in protocol pack `{name}`; use one of {known}, or a pack's path",
            field="pack",
        )
    return _builtin_root() / name


@functools.cache
def load_builtin_pack(name: str) -> ProtocolPack:
    """The built-in pack ``name``, loaded once per process (the decision engine asks often)."""
    return load_pack(builtin_pack_path(name))


def load_pack_reference(reference: str) -> ProtocolPack:
    """A built-in pack by name (``leeds-2002``) or a pack directory by path."""
    if reference in builtin_pack_names():
        return load_builtin_pack(reference)
    path = Path(reference)
    if path.exists():
        return load_pack(path)
    known = ", ".join(f"`{n}`" for n in builtin_pack_names())
    raise UnknownReferenceError(
        f"`{reference}` is neither a built-in pack ({known}) nor a directory; "
        "check the name or path",
        field="pack",
    )
