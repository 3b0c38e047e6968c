#!/usr/bin/env python3
"""Check an infoshare ledger checkpoint and its proofs, as an outsider, with nothing of infoshare.

Needs only Python 3.11+ and the ``cryptography`` package. It is a second, independent
implementation of what docs/ledger.md specifies, so it also cross-checks infoshare itself.

    python verify_checkpoint.py KEY CHECKPOINT
        the checkpoint is signed by the ledger's published key (KEY: a file holding
        ``name+keyid+base64``; CHECKPOINT: a file holding the signed note)
    python verify_checkpoint.py KEY CHECKPOINT --inclusion PROOF
        and the entry in PROOF (an inclusion proof file) is in the ledger the checkpoint covers
    python verify_checkpoint.py KEY CHECKPOINT --consistency OLDER PROOF
        and the checkpoint extends the OLDER checkpoint you kept: nothing before was rewritten

Exit status 0 when everything verifies, 1 with one line saying what failed otherwise.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import re
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Failed(Exception):
    """A check failed; the message says which and why."""


def b64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise Failed(f"{what}: not a base64 string")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise Failed(f"{what}: not base64") from None
    if base64.b64encode(raw).decode() != text:
        raise Failed(f"{what}: not canonical base64")
    return raw


def read_key(text: str) -> tuple[str, bytes, bytes]:
    """(name, key id, public key) from ``name+keyid+base64(0x01 || key)``."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise Failed("key: not `name+keyid+base64`")
    name, hex_id, blob = parts
    raw = b64(blob, "key")
    if len(raw) != 33 or raw[0] != 1:
        raise Failed("key: not an Ed25519 key (0x01 and 32 bytes)")
    key_id = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if key_id.hex() != hex_id:
        raise Failed("key: the key id does not match the name and key")
    return name, key_id, raw[1:]


def open_checkpoint(note: str, key: tuple[str, bytes, bytes]) -> tuple[str, int, bytes]:
    """(origin, size, root) of a signed note, once the key's signature verifies."""
    name, key_id, public = key
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise Failed("checkpoint: no blank line before the signatures")
    text, signatures = note[: cut + 1], note[cut + 2 :].split("\n")[:-1]
    verified = False
    for line in signatures:
        match = re.fullmatch(r"\u2014 (\S+) (\S+)", line)
        if match is None:
            raise Failed(f"checkpoint: malformed signature line {line!r}")
        raw = b64(match.group(2), "signature")
        if match.group(1) != name or raw[:4] != key_id:
            continue  # another key's signature (a witness): not ours to judge
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], text.encode())
        except InvalidSignature:
            raise Failed("checkpoint: the signature does not verify; it was altered") from None
        verified = True
    if not verified:
        raise Failed(f"checkpoint: no signature by the key {name!r}")
    lines = text.split("\n")
    if len(lines) != 5 or not re.fullmatch(r"0|[1-9][0-9]*", lines[1]):
        raise Failed("checkpoint: not origin, size, root hash and time lines")
    if lines[0] != name:
        raise Failed(f"checkpoint: origin {lines[0]!r} is not the key's name {name!r}")
    root = b64(lines[2], "root hash")
    if len(root) != 32:
        raise Failed("checkpoint: the root hash is not 32 bytes")
    return lines[0], int(lines[1]), root


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def hashes(value: object) -> list[bytes]:
    if not isinstance(value, list):
        raise Failed("proof: `proof` is not a list")
    out = [b64(item, "proof hash") for item in value]
    if any(len(item) != 32 for item in out):
        raise Failed("proof: a proof hash is not 32 bytes")
    return out


def check_inclusion(proof: dict[str, object], size: int, root: bytes) -> bytes:
    """RFC 9162 §2.1.3.2. Returns the entry proven."""
    index, tree_size = proof.get("sequence"), proof.get("tree_size")
    if not isinstance(index, int) or not isinstance(tree_size, int):
        raise Failed("proof: `sequence` and `tree_size` must be numbers")
    if tree_size != size:
        raise Failed(f"proof: for tree size {tree_size}, but the checkpoint signs {size}")
    if not 0 <= index < size:
        raise Failed(f"proof: sequence {index} is outside a tree of size {size}")
    entry = b64(proof.get("entry"), "entry")
    fn, sn, r = index, size - 1, hashlib.sha256(b"\x00" + entry).digest()
    for p in hashes(proof.get("proof")):
        if sn == 0:
            raise Failed("inclusion: the proof is too long")
        if fn & 1 or fn == sn:
            r = node(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or r != root:
        raise Failed(f"inclusion: entry {index} is not in the tree the checkpoint signs")
    return entry


def check_consistency(
    proof: dict[str, object], older: tuple[int, bytes], newer: tuple[int, bytes]
) -> None:
    """RFC 9162 §2.1.4.2."""
    (size1, root1), (size2, root2) = older, newer
    if (proof.get("size1"), proof.get("size2")) != (size1, size2):
        raise Failed(f"proof: not from size {size1} to size {size2}")
    path = hashes(proof.get("proof"))
    if not 0 < size1 <= size2:
        raise Failed("consistency: the older checkpoint must be of size 1 or more, and smaller")
    if size1 == size2:
        if path or root1 != root2:
            raise Failed("consistency: two checkpoints of one size with different roots")
        return
    if not path:
        raise Failed("consistency: the proof is empty")
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Failed("consistency: the proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != root1 or sr != root2:
        raise Failed("consistency: the newer checkpoint does not extend the older one")


def load_proof(path: Path, kind: str) -> dict[str, object]:
    try:
        proof = json.loads(path.read_text())
    except ValueError:
        raise Failed(f"proof: {path} is not JSON") from None
    if not isinstance(proof, dict) or proof.get("type") != kind:
        raise Failed(f"proof: {path} is not a {kind} proof")
    return proof


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check an infoshare ledger checkpoint, and optionally a proof against it."
    )
    parser.add_argument("key", type=Path, help="file with the ledger's published verifier key")
    parser.add_argument("checkpoint", type=Path, help="file with the signed checkpoint")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--inclusion", type=Path, metavar="PROOF")
    group.add_argument("--consistency", type=Path, nargs=2, metavar=("OLDER", "PROOF"))
    args = parser.parse_args(argv)
    try:
        key = read_key(args.key.read_text())
        origin, size, root = open_checkpoint(args.checkpoint.read_text(), key)
        print(f"ok: checkpoint of {origin} signs {size} entries, root {root.hex()}")
        if args.inclusion:
            entry = check_inclusion(load_proof(args.inclusion, "inclusion"), size, root)
            print(f"ok: this entry is in it: {entry.decode(errors='replace')}")
        if args.consistency:
            older_note, proof_path = args.consistency
            _, older_size, older_root = open_checkpoint(older_note.read_text(), key)
            check_consistency(
                load_proof(proof_path, "consistency"), (older_size, older_root), (size, root)
            )
            print(f"ok: it extends the checkpoint of {older_size} entries; nothing was rewritten")
    except (Failed, OSError, UnicodeDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
