"""Ed25519 keys for checkpoints, in the C2SP signed-note text encodings.

Principle 6's audit record is only evidence if an outsider can check it without trusting
infoshare: the ledger's checkpoints are signed, and the public key is published.

    verifier key   <name>+<key id, 8 hex digits>+<base64(0x01 || 32-byte public key)>
    signer key     PRIVATE+KEY+<name>+<key id>+<base64(0x01 || 32-byte private seed)>
    key id         first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key)

0x01 names the Ed25519 algorithm. These are the encodings of the C2SP signed-note
specification, so Go's ``golang.org/x/mod/sumdb/note`` reads the same keys.

This module never draws randomness: the shell generates the seed (``os.urandom(32)``, or
``Ed25519PrivateKey.generate()``), writes the signer key to a 0600 file, and publishes the
verifier key. Everything here turns bytes into keys and keys into text, and back.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from infoshare.errors import SigningKeyError

ED25519: Final = b"\x01"
SEED_SIZE: Final = 32
PUBLIC_KEY_SIZE: Final = 32
SIGNATURE_SIZE: Final = 64
_PRIVATE_PREFIX: Final = "PRIVATE+KEY+"


def check_name(name: str) -> str:
    """``name`` if it can name a key (non-empty, no spaces, no ``+``); else raise."""
    if (
        not isinstance(name, str)
        or not name
        or "+" in name
        or any(char.isspace() or not char.isprintable() for char in name)
    ):
        raise SigningKeyError(
            f"the key name `{name}` is not usable; give a non-empty name without spaces or `+`, "
            "such as `infoshare.example/leeds-2002`",
            field="name",
        )
    return name


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key id that prefixes every signature by this key."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519 + public_key).digest()[:4]


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A published Ed25519 public key and the name it signs under."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        check_name(self.name)
        if not isinstance(self.public_key, bytes) or len(self.public_key) != PUBLIC_KEY_SIZE:
            raise SigningKeyError(
                f"an Ed25519 public key is {PUBLIC_KEY_SIZE} bytes, not "
                f"{len(self.public_key) if isinstance(self.public_key, bytes) else '?'}; "
                "give the raw public key",
                field="public_key",
            )

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def verify(self, signature: bytes, message: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def encode(self) -> str:
        """The verifier key's text, to publish."""
        blob = base64.b64encode(ED25519 + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{blob}"


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private Ed25519 key (as its 32-byte seed) and the name it signs under."""

    name: str
    seed: bytes

    def __post_init__(self) -> None:
        check_name(self.name)
        if not isinstance(self.seed, bytes) or len(self.seed) != SEED_SIZE:
            raise SigningKeyError(
                f"an Ed25519 private key is a {SEED_SIZE}-byte seed; give 32 random bytes",
                field="seed",
            )

    def __repr__(self) -> str:
        # A key printed in a log or traceback must not leak.
        return f"SigningKey(name={self.name!r}, seed=<secret>)"

    @property
    def verifier(self) -> VerifierKey:
        """The public half, to publish."""
        private = Ed25519PrivateKey.from_private_bytes(self.seed)
        return VerifierKey(self.name, private.public_key().public_bytes_raw())

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)

    def encode(self) -> str:
        """The signer key's text, for a file only its owner can read (mode 0600)."""
        blob = base64.b64encode(ED25519 + self.seed).decode("ascii")
        return f"{_PRIVATE_PREFIX}{self.name}+{self.verifier.key_id.hex()}+{blob}"


def _decode_blob(blob: str, size: int, what: str) -> bytes:
    try:
        raw = base64.b64decode(blob.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raw = b""
    if base64.b64encode(raw).decode("ascii") != blob:
        raw = b""
    if len(raw) != 1 + size or raw[:1] != ED25519:
        raise SigningKeyError(
            f"the {what} `{blob}` is not base64 of 0x01 and {size} key bytes; "
            "copy the key exactly as it was written"
        )
    return raw[1:]


def _split_key(text: str, what: str) -> tuple[str, str, str]:
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise SigningKeyError(
            f"the {what} `{text.strip()}` is not `name+keyid+key`; copy it exactly as written"
        )
    name, hex_id, blob = parts
    check_name(name)
    if len(hex_id) != 8 or any(char not in "0123456789abcdef" for char in hex_id):
        raise SigningKeyError(f"the key id `{hex_id}` is not 8 lower-case hex digits")
    return name, hex_id, blob


def parse_verifier_key(text: str) -> VerifierKey:
    """The verifier key written as ``name+keyid+base64``; checks the key id."""
    name, hex_id, blob = _split_key(text, "verifier key")
    key = VerifierKey(name, _decode_blob(blob, PUBLIC_KEY_SIZE, "public key"))
    if key.key_id.hex() != hex_id:
        raise SigningKeyError(
            f"the key id `{hex_id}` does not match the key named `{name}`; "
            "the key text was altered or mixes two keys"
        )
    return key


def parse_signing_key(text: str) -> SigningKey:
    """The signer key written as ``PRIVATE+KEY+name+keyid+base64``; checks the key id."""
    stripped = text.strip()
    if not stripped.startswith(_PRIVATE_PREFIX):
        raise SigningKeyError(
            "the signer key does not start with `PRIVATE+KEY+`; give the private key file"
        )
    name, hex_id, blob = _split_key(stripped[len(_PRIVATE_PREFIX) :], "signer key")
    key = SigningKey(name, _decode_blob(blob, SEED_SIZE, "private key"))
    if key.verifier.key_id.hex() != hex_id:
        raise SigningKeyError(
            f"the key id `{hex_id}` does not match the private key named `{name}`; "
            "the key file was altered"
        )
    return key
