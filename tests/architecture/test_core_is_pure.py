"""The core reads no clock and does no I/O: time and facts come in as arguments (DESIGN.md).

import-linter (run by `make lint`) keeps the core from importing the shell; this test keeps
it from reading the clock, the environment or files, which imports alone cannot show.
"""

import re
from pathlib import Path

import pytest

CORE = ["protocol", "domain", "policy", "ledger", "privacy"]
ROOT = Path(__file__).resolve().parents[2] / "src" / "infoshare"

FORBIDDEN = {
    r"\b(?:datetime|date)\.(?:now|today|utcnow)\(": "reads the clock",
    r"\btime\.(?:time|monotonic|perf_counter)(?:_ns)?\(": "reads the clock",
    r"\bos\.environ\b|\bos\.getenv\(": "reads the environment",
    r"\brandom\.(?:random|randint|choice|shuffle)\(": "uses hidden randomness",
    r"\bsecrets\.\w+\(|\buuid4\(": "uses hidden randomness",
    r"\bopen\(|\.(?:read|write)_(?:text|bytes)\(": "opens files",
}
# Loading a pack reads its files: that is the protocol package's one door to the disk.
ALLOWED = {("protocol", "opens files")}


def core_files() -> list[Path]:
    return [path for package in CORE for path in sorted((ROOT / package).rglob("*.py"))]


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_reads_no_clock_environment_or_randomness(path: Path) -> None:
    package = path.relative_to(ROOT).parts[0]
    text = path.read_text()
    for pattern, what in FORBIDDEN.items():
        if (package, what) in ALLOWED:
            continue
        match = re.search(pattern, text)
        assert match is None, f"{path.name} {what}: `{match.group(0) if match else ''}`"
