"""A writer killed with SIGKILL loses nothing it acknowledged: bench/crash_ledger.py, short."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench" / "crash_ledger.py"


def _crash_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("crash_ledger", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_acknowledged_entry_survives_sigkill(
    migrated_database_url: str, tmp_path: Path
) -> None:
    ok, line = _crash_module().crash_rounds(migrated_database_url, 3, seed=6, work=tmp_path)
    assert ok, line
    assert "acknowledged entries all present" in line
