"""Fixtures for protocol pack tests: a writable copy of a built-in pack to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infoshare.protocol import builtin_pack_path


@pytest.fixture
def leeds_copy(tmp_path: Path) -> Path:
    """A copy of the leeds-2002 pack in ``tmp_path``, for a test to edit."""
    target = tmp_path / "leeds-copy"
    shutil.copytree(builtin_pack_path("leeds-2002"), target)
    return target
