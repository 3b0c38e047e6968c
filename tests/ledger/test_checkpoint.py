"""Signed checkpoints: strict parsing, and a signature that only the ledger's key can make."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoshare.errors import CheckpointError
from infoshare.ledger.checkpoint import (
    Checkpoint,
    open_checkpoint,
    parse_checkpoint_text,
    sign_checkpoint,
    split_note,
)
from infoshare.ledger.keys import SigningKey, parse_signing_key, parse_verifier_key
from infoshare.ledger.merkle import EMPTY_ROOT
from tests.ledger.builders import KEY, ORIGIN, OTHER_KEY, T0

ROOT = bytes(range(32))
CHECKPOINT = Checkpoint(ORIGIN, 1234, ROOT, T0)
NOTE = sign_checkpoint(CHECKPOINT, KEY)


def test_the_note_has_the_tlog_checkpoint_layout() -> None:
    lines = NOTE.split("\n")
    assert lines[:5] == [ORIGIN, "1234", base64.b64encode(ROOT).decode(), "time " + (
        "2026-11-25T09:00:00.000000Z"), ""]  # fmt: skip
    assert lines[5].startswith(f"— {ORIGIN} ")
    signature = base64.b64decode(lines[5].split(" ")[2])
    assert signature[:4] == KEY.verifier.key_id
    assert len(signature) == 4 + 64
    assert lines[6:] == [""]


def test_a_signed_checkpoint_opens_with_the_published_key() -> None:
    assert open_checkpoint(NOTE, KEY.verifier) == CHECKPOINT


def test_the_go_reference_note_verifies_and_our_signer_reproduces_it() -> None:
    # Ed25519 is deterministic, so the same key and text give the published signature.
    signer = parse_signing_key(
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    )
    text = (
        "If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n"
    )
    blob = (
        "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6Ryy"
        "BwJnAM="
    )
    assert base64.b64encode(signer.verifier.key_id + signer.sign(text.encode())).decode() == blob
    verifier = parse_verifier_key(
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    )
    assert split_note(f"{text}\n— PeterNeumann {blob}\n") == (
        text,
        [("PeterNeumann", base64.b64decode(blob))],
    )
    assert verifier.verify(base64.b64decode(blob)[4:], text.encode())


def test_a_cosignature_by_an_unknown_key_is_ignored() -> None:
    witness = SigningKey("witness.example", b"\x07" * 32)
    cosigned = NOTE + f"— witness.example {base64.b64encode(b'abcd' + b'x' * 64).decode()}\n"
    assert open_checkpoint(cosigned, KEY.verifier) == CHECKPOINT
    assert witness.name not in NOTE


def test_a_checkpoint_signed_by_another_key_is_refused() -> None:
    with pytest.raises(CheckpointError, match="not signed by the key"):
        open_checkpoint(sign_checkpoint(CHECKPOINT, OTHER_KEY), KEY.verifier)


def test_a_checkpoint_of_another_ledger_is_refused() -> None:
    other = SigningKey("elsewhere.example/log", KEY.seed)
    note = sign_checkpoint(Checkpoint(other.name, 1, ROOT, T0), other)
    with pytest.raises(CheckpointError, match="not signed by the key"):
        open_checkpoint(note, KEY.verifier)
    with pytest.raises(CheckpointError, match="cannot sign checkpoints of"):
        sign_checkpoint(CHECKPOINT, other)


@given(st.integers(0, len(NOTE.encode()) * 8 - 1))
def test_any_flipped_bit_in_a_checkpoint_is_detected(bit: int) -> None:
    raw = bytearray(NOTE.encode())
    raw[bit // 8] ^= 1 << (bit % 8)
    try:
        altered = raw.decode()
    except UnicodeDecodeError:
        return  # bytes that are not even text cannot be presented as a checkpoint
    with pytest.raises(CheckpointError):
        open_checkpoint(altered, KEY.verifier)


@pytest.mark.parametrize(
    ("note", "says"),
    [
        ("", "no blank line"),
        (NOTE.rstrip("\n"), "no blank line"),
        (NOTE.replace("\n\n", "\n"), "no blank line"),
        (NOTE.replace("\n— ", "\n- "), "is not `— <name> <base64 signature>`"),
        (NOTE.replace("\n\n", "\n\n\n"), "does not verify"),
        (NOTE.split("— ")[0], "no signature"),
        (NOTE.replace("1234", "01234"), "does not verify"),
        (NOTE.replace("\n", "\r\n"), "control characters"),
        (NOTE.replace("1234", "1235"), "does not verify"),
    ],
)
def test_malformed_notes_are_refused_precisely(note: str, says: str) -> None:
    with pytest.raises(CheckpointError, match=says):
        open_checkpoint(note, KEY.verifier)


BODY = CHECKPOINT.text()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (BODY.replace("1234", "01234"), "without leading zeros"),
        (BODY.replace("1234", "-1"), "without leading zeros"),
        (BODY.replace("1234", "99999999999999999"), "without leading zeros"),
        (BODY.replace("time ", "Time "), "fourth line"),
        (BODY.replace(".000000Z", "Z"), "RFC 3339"),
        (BODY.replace(base64.b64encode(ROOT).decode(), "AAAA"), "base64 of 32 bytes"),
        (BODY + "extension\n", "exactly four lines"),
        (BODY[:-1], "exactly four lines"),
        (BODY.replace(ORIGIN, "two words"), "not usable"),
    ],
)
def test_checkpoint_texts_have_one_spelling(text: str, says: str) -> None:
    with pytest.raises(CheckpointError, match=says):
        parse_checkpoint_text(text)


def test_checkpoint_values_are_checked_when_made() -> None:
    with pytest.raises(CheckpointError, match="not 32 bytes"):
        Checkpoint(ORIGIN, 0, b"short", T0)
    with pytest.raises(CheckpointError, match="no timezone"):
        Checkpoint(ORIGIN, 0, EMPTY_ROOT, datetime(2026, 1, 1))  # a naive time
    assert parse_checkpoint_text(Checkpoint(ORIGIN, 0, EMPTY_ROOT, T0).text()).size == 0
    assert Checkpoint(ORIGIN, 0, EMPTY_ROOT, T0.astimezone(UTC)).text().endswith("Z\n")
