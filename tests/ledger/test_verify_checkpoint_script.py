"""The outsider's script (bench/verify_checkpoint.py) agrees with the library, both ways."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infoshare.ledger.proofs import ConsistencyProof, InclusionProof
from infoshare.ledger.tree import MemoryHashStore, consistency_proof, inclusion_proof
from tests.ledger.builders import KEY, OTHER_KEY, build_ledger

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "verify_checkpoint.py"
ENTRIES, NOTES = build_ledger(37, checkpoint_every=6)  # checkpoints at 6, 12, …, 36
STORE = MemoryHashStore()
STORE.extend(entry.leaf for entry in ENTRIES)


def run(*args: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "key": tmp_path / "ledger.pub",
        "older": tmp_path / "older.checkpoint",
        "newer": tmp_path / "newer.checkpoint",
        "inclusion": tmp_path / "inclusion.json",
        "consistency": tmp_path / "consistency.json",
    }
    paths["key"].write_text(KEY.verifier.encode() + "\n")
    paths["older"].write_text(NOTES[1])  # size 12
    paths["newer"].write_text(NOTES[5])  # size 36
    hashes = tuple(inclusion_proof(STORE, 20, 36))
    paths["inclusion"].write_text(InclusionProof(20, 36, ENTRIES[20].body, hashes).to_json())
    hashes = tuple(consistency_proof(STORE, 12, 36))
    paths["consistency"].write_text(ConsistencyProof(12, 36, hashes).to_json())
    return paths


def test_a_checkpoint_and_its_proofs_verify(files: dict[str, Path]) -> None:
    done = run(files["key"], files["newer"])
    assert done.returncode == 0, done.stderr
    assert "signs 36 entries" in done.stdout
    done = run(files["key"], files["newer"], Path("--inclusion"), files["inclusion"])
    assert done.returncode == 0, done.stderr
    assert '"sequence":20' in done.stdout
    args = (Path("--consistency"), files["older"], files["consistency"])
    done = run(files["key"], files["newer"], *args)
    assert done.returncode == 0, done.stderr
    assert "nothing was rewritten" in done.stdout


def test_a_checkpoint_under_another_key_is_refused(files: dict[str, Path]) -> None:
    files["key"].write_text(OTHER_KEY.verifier.encode())
    done = run(files["key"], files["newer"])
    assert done.returncode == 1
    assert done.stderr.startswith("error: checkpoint: no signature by the key")


def test_an_altered_checkpoint_is_refused(files: dict[str, Path]) -> None:
    files["newer"].write_text(NOTES[5].replace("\n36\n", "\n35\n"))
    done = run(files["key"], files["newer"])
    assert (done.returncode, done.stderr.strip()) == (
        1,
        "error: checkpoint: the signature does not verify; it was altered",
    )


def test_an_altered_entry_fails_its_inclusion_proof(files: dict[str, Path]) -> None:
    forged = InclusionProof.from_json(files["inclusion"].read_text())
    forged = InclusionProof(20, 36, ENTRIES[21].body, forged.hashes)
    files["inclusion"].write_text(forged.to_json())
    done = run(files["key"], files["newer"], Path("--inclusion"), files["inclusion"])
    assert done.returncode == 1
    assert "entry 20 is not in the tree" in done.stderr


def test_a_proof_between_other_sizes_is_refused(files: dict[str, Path]) -> None:
    files["older"].write_text(NOTES[0])  # size 6, but the proof is from 12
    args = (Path("--consistency"), files["older"], files["consistency"])
    done = run(files["key"], files["newer"], *args)
    assert done.returncode == 1
    assert "not from size 6 to size 36" in done.stderr


def test_the_script_imports_nothing_of_infoshare() -> None:
    text = SCRIPT.read_text()
    imports = {line.split()[1] for line in text.splitlines() if line.startswith(("import", "from"))}
    assert all(name.split(".")[0] != "infoshare" for name in imports)
    allowed = {"__future__", "argparse", "base64", "binascii", "hashlib", "json", "re", "sys"}
    assert {name.split(".")[0] for name in imports} <= allowed | {"pathlib", "cryptography"}
