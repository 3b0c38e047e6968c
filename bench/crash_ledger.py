"""Crash test of the ledger's durable appends: SIGKILL a busy writer, again and again.

Principle 6's audit record must not lose what it acknowledged. Each round starts a child
process that appends from 8 threads through the group-commit writer as fast as it can and,
after each acknowledgement, writes the sequence number to a file; the parent kills it with
SIGKILL at a random moment. After all rounds, every acknowledged number must be stored and
the whole ledger (chain, Merkle root, stored subtrees, head row, checkpoints signed every
500 entries by the child) must verify.

    python bench/crash_ledger.py                      # 20 rounds on a new SQLite file
    python bench/crash_ledger.py --rounds 50 --db postgresql+psycopg://…/scratch

Exits 0 and prints a summary, or prints the first problem and exits 1. ``make test`` runs
a short version (tests/store/test_ledger_crash.py).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

from infoshare.ledger.events import EventKind  # noqa: E402
from infoshare.ledger.keys import SigningKey  # noqa: E402
from infoshare.services import ledger  # noqa: E402
from infoshare.services.database import open_database  # noqa: E402
from infoshare.store import schema  # noqa: E402
from infoshare.store.ledger_store import LedgerEvent  # noqa: E402
from infoshare.store.writer import CheckpointPolicy, GroupWriter  # noqa: E402

THREADS = 8
CHECKPOINT_EVERY = 500
KEY = SigningKey("infoshare.test/crash", b"\x07" * 32)


def child(url: str, acks: Path) -> None:
    """Append until killed; write each acknowledged sequence number to ``acks``."""
    db = open_database(url)
    writer = GroupWriter(db.sessions)
    writer.checkpoints = CheckpointPolicy(KEY, CHECKPOINT_EVERY, lambda: datetime.now(UTC))
    descriptor = os.open(acks, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def run(worker: int) -> None:
        n = 0
        while True:
            n += 1
            sequence = writer.append(
                LedgerEvent(
                    time=datetime.now(UTC),
                    kind=EventKind.DISCLOSURE_MADE,
                    actor_staff=f"staff-{worker}",
                    actor_organisation="LTHT",
                    subject=f"subject-{n}",
                    purpose="care",
                    record_digest=f"{n:064x}",
                )
            )
            # One write per line, O_APPEND: lines from threads never interleave.
            os.write(descriptor, f"{sequence}\n".encode())

    threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def acknowledged(acks: Path) -> set[int]:
    """The numbers the child acknowledged (a line cut short by the kill is not one)."""
    if not acks.exists():
        return set()
    text = acks.read_text()
    lines = text.split("\n")[:-1]  # the last piece has no newline: cut short, or empty
    return {int(line) for line in lines}


def crash_rounds(url: str, rounds: int, seed: int, work: Path) -> tuple[bool, str]:
    """Run the rounds on ``url``; (ok, one line saying what happened)."""
    rng = random.Random(seed)
    acks = work / "acks.txt"
    acks.unlink(missing_ok=True)
    for _ in range(rounds):
        before = acks.stat().st_size if acks.exists() else 0
        process = subprocess.Popen(
            [sys.executable, __file__, "--child", url, str(acks)],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        # Kill only once the child is appending, at a random moment after that.
        while (acks.stat().st_size if acks.exists() else 0) == before:
            if process.poll() is not None or time.monotonic() > deadline:
                return False, f"the child did not start appending (exit {process.returncode})"
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.6))
        process.send_signal(signal.SIGKILL)
        process.wait()
    acked = acknowledged(acks)
    db = open_database(url)
    try:
        report = ledger.verify(db.unit_of_work(), KEY.verifier)
        stored = ledger.head_size(db.unit_of_work())
    finally:
        db.dispose()
    lost = sorted(n for n in acked if n >= stored)
    if lost:
        return False, f"{len(lost)} acknowledged entries are missing, the first {lost[0]}"
    if report.problem is not None:
        return False, f"the ledger does not verify: {report.problem}"
    return True, (
        f"ok: {rounds} rounds killed with SIGKILL; {len(acked)} acknowledged entries all "
        f"present among {stored} stored; chain, root and {report.verification.checkpoints} "
        "checkpoints verify"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--child", nargs=2, metavar=("URL", "ACKS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        url = args.db or f"sqlite:///{work / 'crash.db'}"
        schema.upgrade(url)
        started = time.perf_counter()
        ok, line = crash_rounds(url, args.rounds, args.seed, work)
        print(f"{line} ({time.perf_counter() - started:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
