"""Ledger benchmarks: whole-ledger verification at 1M entries, proofs at 10M.

    .venv/bin/python bench/bench_ledger.py            # what `make bench-ledger` runs
    .venv/bin/python bench/bench_ledger.py --entries 100000 --proof-size 1000000   # quicker

Prints each figure and writes them to bench/results/ledger.json:

- verify_1m_s: ``verify_ledger`` over the entries (chain, Merkle root, every checkpoint's
  signature and root), best of ``--repeat`` runs;
- verify_ratio_vs_hashlib: that time over a bare loop chaining SHA-256 over the same bytes;
- proof_ms_at_10m: mean and worst time of an inclusion and a consistency proof at 10M leaves,
  from a ``MemoryHashStore`` that keeps levels ≥ ``--min-level`` (lower nodes are recomputed
  from leaf hashes fetched on demand, as the database store will fetch them).

- append_per_s, append_ratio_vs_insert and the other ``append_*`` figures: durable appends
  with group commit on SQLite from 32 writers, from ``bench_ledger_append.py`` (read its
  docstring for exactly what is compared).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from infoshare.ledger.chain import GENESIS, LedgerHead, SealedEntry
from infoshare.ledger.checkpoint import Checkpoint, sign_checkpoint
from infoshare.ledger.events import EventKind, LedgerEntry, Outcome
from infoshare.ledger.keys import SigningKey
from infoshare.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from infoshare.ledger.tree import MemoryHashStore, consistency_proof, inclusion_proof, tree_root
from infoshare.ledger.verify import verify_ledger

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ledger_append import bench_append

KEY = SigningKey("bench.infoshare.example/leeds-2002", bytes(32))
T0 = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = list(EventKind)
ORGANISATIONS = ["LTHT", "LMHST", "WLPCT", "NWLPCT", "NELPCT", "ELPCT", "SLPCT", "LCC", "EDL"]


def build(count: int, checkpoint_every: int) -> tuple[list[SealedEntry], list[str]]:
    """A realistic ledger: varied entries, a signed checkpoint every ``checkpoint_every``."""
    head = LedgerHead()
    entries: list[SealedEntry] = []
    notes: list[str] = []
    for sequence in range(count):
        entry = LedgerEntry(
            sequence=sequence,
            time=T0 + timedelta(milliseconds=137 * sequence),
            kind=KINDS[sequence % len(KINDS)],
            actor_staff=f"staff-{sequence * 7919 % 30000:05d}",
            actor_organisation=ORGANISATIONS[sequence % len(ORGANISATIONS)],
            record_digest=hashlib.sha256(sequence.to_bytes(8, "big")).hexdigest(),
            outcome=Outcome.FAILURE if sequence % 50 == 0 else Outcome.SUCCESS,
            subject=f"subject-{sequence * 104729 % 810000:06d}",
            purpose="care",
        )
        entries.append(head.seal(entry))
        if head.size % checkpoint_every == 0 or head.size == count:
            moment = T0 + timedelta(milliseconds=137 * sequence + 1)
            notes.append(sign_checkpoint(Checkpoint(KEY.name, head.size, head.root(), moment), KEY))
    return entries, notes


def best_of(repeat: int, runs: dict[str, Callable[[], object]]) -> dict[str, tuple[float, float]]:
    """The best (wall, CPU) seconds of each run, the runs interleaved ``repeat`` times.

    Interleaving gives each run the same share of a shared machine's quiet and busy moments,
    which keeps their ratio honest; CPU time is what contention inflates least.
    """
    best = {name: (math.inf, math.inf) for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def bench_verify(count: int, checkpoint_every: int, repeat: int) -> dict[str, object]:
    start = time.perf_counter()
    entries, notes = build(count, checkpoint_every)
    took = time.perf_counter() - start
    print(f"built {count:,} entries, {len(notes):,} checkpoints in {took:.1f} s")
    bodies = [entry.body for entry in entries]
    mean_body = sum(map(len, bodies)) / len(bodies)

    def verify() -> None:
        result = verify_ledger(entries, notes, KEY.verifier)
        assert result.ok, result.problem

    def plain_chain() -> None:
        sha256, previous = hashlib.sha256, GENESIS
        for body in bodies:
            previous = sha256(previous + body).digest()

    best = best_of(repeat, {"verify": verify, "hashlib": plain_chain})
    (verify_s, verify_cpu), (hashlib_s, hashlib_cpu) = best["verify"], best["hashlib"]
    deep = best_of(
        1, {"deep": lambda: verify_ledger(entries, notes, KEY.verifier, decode_entries=True)}
    )
    scale = 1_000_000 / count
    print(f"verify {count:,} entries (chain + Merkle root + checkpoints): "
          f"{verify_s:.3f} s wall, {verify_cpu:.3f} s CPU")  # fmt: skip
    print(
        f"plain hashlib chain over the same bytes: {hashlib_s:.3f} s wall, {hashlib_cpu:.3f} s CPU"
    )
    print(f"ratio (CPU): {verify_cpu / hashlib_cpu:.2f}")
    print(f"with every entry decoded and re-encoded: {deep['deep'][0]:.3f} s wall")
    return {
        "verify_entries": count,
        "verify_checkpoints": len(notes),
        "verify_mean_entry_bytes": round(mean_body, 1),
        "verify_1m_s": round(verify_s * scale, 3),
        "verify_1m_cpu_s": round(verify_cpu * scale, 3),
        "verify_hashlib_chain_cpu_s": round(hashlib_cpu * scale, 3),
        "verify_ratio_vs_hashlib": round(verify_cpu / hashlib_cpu, 2),
        "verify_decoded_1m_s": round(deep["deep"][0] * scale, 3),
    }


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "mean": sum(ordered) / len(ordered),
        "p50": ordered[len(ordered) // 2],
        "p99": ordered[min(len(ordered) - 1, len(ordered) * 99 // 100)],
        "max": ordered[-1],
    }


def synthetic_leaf(index: int) -> bytes:
    return leaf_hash(b"entry %d" % index)


def bench_proofs(size: int, min_level: int, samples: int) -> dict[str, object]:
    # Leaf hashes below min_level come "from the database": here, recomputed on demand.
    store = MemoryHashStore(
        min_level, leaves=lambda start, end: [synthetic_leaf(i) for i in range(start, end)]
    )
    start = time.perf_counter()
    store.extend(synthetic_leaf(i) for i in range(size))
    took, held = time.perf_counter() - start, store.stored_hashes
    print(f"built a {size:,}-leaf store in {took:.1f} s: {held:,} hashes, {held / 32768:.0f} MiB")
    root = tree_root(store, size)
    rng = random.Random(6)
    # Wall time, and the thread's CPU time, which a busy shared machine cannot inflate.
    wall: dict[str, list[float]] = {"inclusion": [], "consistency": []}
    cpu: dict[str, list[float]] = {"inclusion": [], "consistency": []}

    def timed(name: str, make: Callable[[], list[bytes]]) -> list[bytes]:
        begin, begin_cpu = time.perf_counter(), time.thread_time()
        proof = make()
        wall[name].append((time.perf_counter() - begin) * 1000)
        cpu[name].append((time.thread_time() - begin_cpu) * 1000)
        return proof

    for sample in range(samples):
        index = rng.randrange(size)
        proof = timed("inclusion", partial(inclusion_proof, store, index, size))
        verify_inclusion(index, size, synthetic_leaf(index), proof, root)
        older = rng.randrange(1, size)
        proof = timed("consistency", partial(consistency_proof, store, older, size))
        if sample < 20:  # checking costs a root per pair: a sample suffices
            verify_consistency(older, size, tree_root(store, older), root, proof)
    figures = {
        f"{name}_{stat}_ms": round(value, 4)
        for name in wall
        for stat, value in summary(wall[name]).items()
    }
    figures |= {f"{name}_cpu_p99_ms": round(summary(cpu[name])["p99"], 4) for name in cpu}
    print(f"proofs at {size:,} leaves over {samples:,} samples (ms): {figures}")
    return {
        "proof_tree_size": size,
        "proof_min_level": min_level,
        "proof_store_hashes": store.stored_hashes,
        "proof_store_mib": round(store.stored_hashes * 32 / 2**20, 1),
        "proof_ms_at_10m": figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--checkpoint-every", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--proof-size", type=int, default=10_000_000)
    parser.add_argument("--min-level", type=int, default=4)
    parser.add_argument("--samples", type=int, default=2_000)
    parser.add_argument("--writers", type=int, default=32)
    parser.add_argument("--per-writer", type=int, default=2_000)
    parser.add_argument("--window", type=int, default=64)
    parser.add_argument("--append-repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/results/ledger.json"))
    args = parser.parse_args()

    results: dict[str, object] = {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    results |= bench_verify(args.entries, args.checkpoint_every, args.repeat)
    results |= bench_proofs(args.proof_size, args.min_level, args.samples)
    # Durable appends with group commit (store/writer.py), against plain batched INSERTs.
    results |= bench_append(args.writers, args.per_writer, args.window, args.append_repeat)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
