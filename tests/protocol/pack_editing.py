"""Editing a copied pack in place, keeping its layout so that line numbers stay meaningful."""

from __future__ import annotations

from pathlib import Path


def edit(path: Path, old: str, new: str) -> int:
    """Replace the one occurrence of ``old`` in ``path``; return its 1-based line."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"`{old}` occurs {text.count(old)} times in {path.name}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line
