"""One file of a protocol pack, parsed from YAML with the line of every entry kept.

A pack author fixing a problem needs the line, not only the path: ``purposes.yaml:23`` is
quicker to find than ``purposes[3].needs_identifiable_data``. PyYAML's node tree carries the
positions, so a file is composed once and both the plain data and the positions are kept.
Malformed YAML and duplicate keys (which PyYAML would silently resolve to the last one) are
reported as problems with their line, never raised as a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from infoshare.errors import PackProblem

#: libyaml's parser where PyYAML was built with it (ten times faster), else the pure-Python one
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: a path into parsed YAML: mapping keys and sequence indexes, outermost first
DataPath = Sequence[str | int]


@dataclass(frozen=True, slots=True)
class YamlFile:
    """A parsed pack file: its name inside the pack, its data, and its node tree for lines."""

    name: str
    data: object
    root: yaml.Node | None

    def line_of(self, path: DataPath) -> int | None:
        """The 1-based line of ``path``, or of the deepest part of it that exists."""
        node = self.root
        if node is None:
            return None
        line = node.start_mark.line + 1
        for step in path:
            if isinstance(node, yaml.MappingNode):
                found = next(
                    (
                        (k, v)
                        for k, v in node.value
                        if isinstance(k, yaml.ScalarNode) and k.value == step
                    ),
                    None,
                )
                if found is None:
                    return line
                key, node = found
                line = key.start_mark.line + 1
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(step, int)
                and 0 <= step < len(node.value)
            ):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def parse_yaml(name: str, text: str, field: str) -> tuple[YamlFile | None, list[PackProblem]]:
    """Parse ``text``, the file ``name`` holding the pack's ``field``.

    Returns the parsed file (None if it is not YAML) and its problems.
    """
    loader = _SafeLoader(text)
    try:
        root = loader.get_single_node()
        problems = _duplicate_keys(name, field, root)
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(part for part in (error.context, error.problem) if part)
        reason = f"malformed YAML: {what}; fix the syntax at this line"
        return None, [PackProblem(name, "(file)", reason, line)]
    except yaml.YAMLError as error:
        return None, [PackProblem(name, "(file)", f"malformed YAML: {error}", None)]
    finally:
        loader.dispose()
    return YamlFile(name, data, root), problems


def _duplicate_keys(name: str, field: str, root: yaml.Node | None) -> list[PackProblem]:
    problems: list[PackProblem] = []

    def walk(node: yaml.Node, where: str) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                label = key.value if isinstance(key, yaml.ScalarNode) else "?"
                if label in seen:
                    reason = f"key `{label}` appears twice in the same mapping; keep one"
                    line = key.start_mark.line + 1
                    problems.append(PackProblem(name, where, reason, line))
                seen.add(label)
                walk(value, f"{where}.{label}" if where else label)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, f"{where}[{index}]")

    if root is not None:
        walk(root, field)
    return problems
