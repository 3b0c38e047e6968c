"""The ledger's signing key on disk: made at ``infoshare init``, read for every checkpoint.

Principle 6's record is evidence only if an outsider can check it without trusting the host,
so checkpoints are signed with an Ed25519 key kept OUTSIDE the database, in
``INFOSHARE_KEYS_DIR`` (see docs/operations.md, "Keys"):

    <keys dir>/              mode 0700
        ledger.key           mode 0600: ``PRIVATE+KEY+<origin>+<key id>+<base64>``
        ledger.pub           the verifier key, ``<origin>+<key id>+<base64>``: publish it

The key's name is the ledger's origin, the first line of every checkpoint. The seed comes
from ``os.urandom``; the core (``ledger/keys.py``) does the encoding. Every problem with the
files is a ``ConfigurationError`` naming the file and what to do; a key is never
overwritten.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from infoshare.errors import ConfigurationError, SigningKeyError
from infoshare.ledger.keys import SEED_SIZE, SigningKey, VerifierKey, check_name, parse_signing_key
from infoshare.ledger.keys import parse_verifier_key as _parse_verifier_key

SIGNING_KEY_FILE: Final = "ledger.key"
VERIFIER_KEY_FILE: Final = "ledger.pub"
#: the origin when INFOSHARE_LEDGER_ORIGIN is not set: a name per protocol pack
DEFAULT_ORIGIN_TEMPLATE: Final = "infoshare.local/{pack}"


@dataclass(frozen=True)
class KeySetup:
    """What ``ensure_signing_key`` did: made a new key, or found one already there."""

    created: bool
    path: Path
    verifier: VerifierKey


def origin_for(pack_id: str, configured: str | None = None) -> str:
    """The ledger's origin: the configured one, else one named after the pack."""
    name = configured or DEFAULT_ORIGIN_TEMPLATE.format(pack=pack_id)
    try:
        return check_name(name)
    except SigningKeyError as error:
        raise ConfigurationError(
            f"INFOSHARE_LEDGER_ORIGIN: {error.message}", field="INFOSHARE_LEDGER_ORIGIN"
        ) from None


def _check_private(path: Path, wanted: int) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigurationError(
            f"INFOSHARE_KEYS_DIR: `{path}` has mode {mode:04o}, so others can read it; run "
            f"`chmod {wanted:o} {path}` (the ledger's signing key must be private)",
            field="INFOSHARE_KEYS_DIR",
        )


def ensure_signing_key(keys_dir: Path, origin: str) -> KeySetup:
    """Make the signing key in ``keys_dir`` if there is none; check the one there if there is.

    Never overwrites: an existing key is loaded and checked (permissions, format, and that
    it is named ``origin``).
    """
    key_path = keys_dir / SIGNING_KEY_FILE
    if key_path.exists():
        key = load_signing_key(keys_dir, origin=origin)
        return KeySetup(created=False, path=key_path, verifier=key.verifier)
    try:
        keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigurationError(
            f"INFOSHARE_KEYS_DIR: cannot create `{keys_dir}`: {error.strerror}; create it "
            "with mode 0700, or point INFOSHARE_KEYS_DIR elsewhere",
            field="INFOSHARE_KEYS_DIR",
        ) from None
    _check_private(keys_dir, 0o700)
    key = SigningKey(origin, os.urandom(SEED_SIZE))
    # O_EXCL: if another process made the key meanwhile, fail rather than replace it.
    try:
        descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigurationError(
            f"INFOSHARE_KEYS_DIR: `{key_path}` appeared while infoshare was creating it; "
            "run the command again (the key there is kept)",
            field="INFOSHARE_KEYS_DIR",
        ) from None
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key.encode() + "\n")
        file.flush()
        os.fsync(file.fileno())
    (keys_dir / VERIFIER_KEY_FILE).write_text(key.verifier.encode() + "\n", encoding="ascii")
    return KeySetup(created=True, path=key_path, verifier=key.verifier)


def load_signing_key(keys_dir: Path, *, origin: str | None = None) -> SigningKey:
    """The signing key in ``keys_dir``, after checking its permissions and its format."""
    key_path = keys_dir / SIGNING_KEY_FILE
    if not key_path.is_file():
        raise ConfigurationError(
            f"INFOSHARE_KEYS_DIR: there is no signing key at `{key_path}`; run `infoshare "
            "init` to make one, or point INFOSHARE_KEYS_DIR at the folder that holds it",
            field="INFOSHARE_KEYS_DIR",
        )
    _check_private(keys_dir, 0o700)
    _check_private(key_path, 0o600)
    try:
        key = parse_signing_key(key_path.read_text(encoding="ascii"))
    except (SigningKeyError, UnicodeDecodeError) as error:
        reason = error.message if isinstance(error, SigningKeyError) else "it is not ASCII text"
        raise ConfigurationError(
            f"INFOSHARE_KEYS_DIR: `{key_path}` is not a ledger signing key: {reason}; restore "
            "it from your backup of the keys folder",
            field="INFOSHARE_KEYS_DIR",
        ) from None
    if origin is not None and key.name != origin:
        raise ConfigurationError(
            f"INFOSHARE_KEYS_DIR: the key at `{key_path}` signs for `{key.name}`, not this "
            f"ledger's origin `{origin}`; use the key made for this ledger",
            field="INFOSHARE_KEYS_DIR",
        )
    return key


def load_verifier_key(path: Path) -> VerifierKey:
    """A published verifier key from a file (``ledger.pub``); ConfigurationError if unusable."""
    try:
        return parse_verifier_key(path.read_text(encoding="ascii"))
    except OSError as error:
        raise ConfigurationError(
            f"cannot read the verifier key `{path}`: {error.strerror}; give the ledger's "
            "published key file",
            field="key",
        ) from None
    except (SigningKeyError, UnicodeDecodeError) as error:
        reason = error.message if isinstance(error, SigningKeyError) else "it is not ASCII text"
        raise ConfigurationError(f"`{path}` is not a verifier key: {reason}", field="key") from None


def parse_verifier_key(text: str) -> VerifierKey:
    """A verifier key from its text (``name+keyid+base64``); SigningKeyError if malformed."""
    return _parse_verifier_key(text)


def published_key(keys_dir: Path) -> VerifierKey:
    """The ledger's verifier key: ``ledger.pub`` if present, else derived from ``ledger.key``."""
    public = keys_dir / VERIFIER_KEY_FILE
    if public.is_file():
        return load_verifier_key(public)
    return load_signing_key(keys_dir).verifier
