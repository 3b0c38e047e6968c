"""Example Information Sharing Agreements, shipped as YAML files (docs/agreements.md).

They are demo data under the ``leeds-2002`` pack, dated 2003, the protocol's first year:
hospital discharge planning, child protection, a mental health crisis, anonymised planning
statistics, one that raises lint warnings, and one that has expired. ``infoshare isa lint``
checks any of them; the demo loads them.
"""

from __future__ import annotations

from pathlib import Path

#: the directory holding the example agreements, one ``.yaml`` file each
EXAMPLES_DIR = Path(__file__).parent / "examples"


def example_paths() -> list[Path]:
    """The example agreements' files, by name."""
    return sorted(EXAMPLES_DIR.glob("*.yaml"))
