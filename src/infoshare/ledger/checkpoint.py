"""Signed checkpoints: the ledger's size and Merkle root at a time, as a C2SP signed note.

Principle 6's audit record and Section 4.3's monitoring rest on checkpoints: whoever keeps a
copy of one can later prove that the ledger has not been rewritten (a consistency proof) and
that a record is in it (an inclusion proof), trusting only the published key.

The text is a C2SP ``tlog-checkpoint`` body with one extension line for the time::

    infoshare.example/leeds-2002
    1234
    XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=
    time 2026-11-25T15:57:13.000000Z

followed by a blank line and one or more signature lines of the C2SP ``signed-note`` format,
``— <key name> <base64(key id || Ed25519 signature of the text)>``. The key's name must be
the origin, so a checkpoint of one ledger cannot pass for another's. Signatures by unknown
keys (witnesses' cosignatures) are allowed and ignored; a signature by the known key that
does not verify is an error.

Parsing is strict: one spelling per checkpoint, so equal checkpoints are equal texts.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from infoshare.errors import CheckpointError, LedgerEntryError, SigningKeyError
from infoshare.ledger.canonical import MAX_SAFE_INTEGER, format_time, parse_time
from infoshare.ledger.keys import SIGNATURE_SIZE, SigningKey, VerifierKey, check_name
from infoshare.ledger.merkle import HASH_SIZE

SIGNATURE_DASH: Final = "\u2014 "
_SIZE = re.compile(r"0|[1-9][0-9]{0,15}")
_BASE64_HASH = re.compile(r"[A-Za-z0-9+/]{43}=")
_SIGNATURE = re.compile(r"\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})")
_MAX_SIGNATURES: Final = 100


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The ledger's Merkle root over its first ``size`` entries, as of ``time``."""

    origin: str
    size: int
    root: bytes
    time: datetime

    def __post_init__(self) -> None:
        try:
            check_name(self.origin)
        except SigningKeyError as error:
            raise CheckpointError(error.message, field="origin") from None
        if not isinstance(self.size, int) or not 0 <= self.size <= MAX_SAFE_INTEGER:
            raise CheckpointError(f"the tree size `{self.size}` is not a whole number from 0")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            raise CheckpointError(f"the root hash is not {HASH_SIZE} bytes; give a SHA-256 hash")
        try:
            format_time(self.time)
        except LedgerEntryError as error:
            raise CheckpointError(error.message) from None

    def text(self) -> str:
        """The note text that is signed: origin, size, root, time, each on its own line."""
        root = base64.b64encode(self.root).decode("ascii")
        return f"{self.origin}\n{self.size}\n{root}\ntime {format_time(self.time)}\n"


def sign_checkpoint(checkpoint: Checkpoint, key: SigningKey) -> str:
    """The signed note of ``checkpoint``; ``key`` must be named after the checkpoint's origin."""
    if key.name != checkpoint.origin:
        raise CheckpointError(
            f"the key `{key.name}` cannot sign checkpoints of `{checkpoint.origin}`; "
            "name the signing key after the ledger's origin"
        )
    text = checkpoint.text()
    signature = key.verifier.key_id + key.sign(text.encode("utf-8"))
    return f"{text}\n{SIGNATURE_DASH}{key.name} {base64.b64encode(signature).decode('ascii')}\n"


def parse_checkpoint_text(text: str) -> Checkpoint:
    """The checkpoint a note's text states, without checking any signature."""
    lines = text.split("\n")
    if len(lines) != 5 or lines[-1] != "":
        raise CheckpointError(
            "a checkpoint has exactly four lines (origin, size, root hash, time), "
            f"each ending in a newline; this one has {len(lines) - 1}"
        )
    origin, size, root, time = lines[:4]
    if _SIZE.fullmatch(size) is None:
        raise CheckpointError(
            f"the tree size `{size}` is not a decimal number without leading zeros",
            field="size",
        )
    if _BASE64_HASH.fullmatch(root) is None:
        raise CheckpointError(f"the root hash `{root}` is not the base64 of 32 bytes", field="root")
    if not time.startswith("time "):
        raise CheckpointError(
            f"the fourth line `{time}` is not `time <RFC 3339 UTC>`", field="time"
        )
    try:
        moment = parse_time(time.removeprefix("time "))
        checkpoint = Checkpoint(origin, int(size), base64.b64decode(root), moment)
    except LedgerEntryError as error:
        raise CheckpointError(error.message, field=error.field) from None
    except binascii.Error:
        raise CheckpointError(f"the root hash `{root}` is not valid base64") from None
    if checkpoint.text() != text:
        raise CheckpointError("the checkpoint is not in its one canonical spelling")
    return checkpoint


def split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """A signed note's text and its signatures as ``(key name, key id || signature)``."""
    if not isinstance(note, str) or any(
        (char < " " and char != "\n") or char == "\x7f" for char in note
    ):
        raise CheckpointError(
            "the checkpoint contains control characters; give the note exactly as signed"
        )
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise CheckpointError(
            "the checkpoint has no blank line before its signatures, or does not end in a "
            "newline; give the whole signed note"
        )
    text, block = note[: cut + 1], note[cut + 2 :]
    signatures: list[tuple[str, bytes]] = []
    for line in block.split("\n")[:-1]:
        match = _SIGNATURE.fullmatch(line)
        raw = b""
        if match is not None:
            try:
                raw = base64.b64decode(match.group(2), validate=True)
            except binascii.Error:
                raw = b""
            # Unused low bits in the last base64 digit would let one signature have many
            # spellings; only the canonical one is accepted.
            if base64.b64encode(raw).decode("ascii") != match.group(2):
                raw = b""
        if match is None or len(raw) < 5:
            raise CheckpointError(
                f"the signature line `{line}` is not `— <name> <base64 signature>`"
            )
        signatures.append((match.group(1), raw))
    if not signatures:
        raise CheckpointError("the checkpoint carries no signature; it cannot be trusted")
    if len(signatures) > _MAX_SIGNATURES:
        raise CheckpointError(f"the checkpoint carries over {_MAX_SIGNATURES} signatures")
    return text, signatures


def open_checkpoint(note: str, key: VerifierKey) -> Checkpoint:
    """The checkpoint in ``note``, once its signature by ``key`` verifies; else raise."""
    text, signatures = split_note(note)
    key_id = key.key_id
    ours = [raw for name, raw in signatures if name == key.name and raw[:4] == key_id]
    if not ours:
        raise CheckpointError(
            f"the checkpoint is not signed by the key `{key.name}` "
            f"(id {key_id.hex()}); check you hold this ledger's published key"
        )
    message = text.encode("utf-8")
    for raw in ours:
        if len(raw) != 4 + SIGNATURE_SIZE or not key.verify(raw[4:], message):
            raise CheckpointError(
                f"the signature by `{key.name}` does not verify: the checkpoint was altered "
                "after signing, or signed by another key"
            )
    checkpoint = parse_checkpoint_text(text)
    if checkpoint.origin != key.name:
        raise CheckpointError(
            f"the checkpoint's origin `{checkpoint.origin}` is not the key's name "
            f"`{key.name}`; it belongs to another ledger"
        )
    return checkpoint
