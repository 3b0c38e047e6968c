"""Checkpoint keys: the C2SP signed-note encodings, so outside tools read the same keys."""

from __future__ import annotations

import pytest

from infoshare.errors import SigningKeyError
from infoshare.ledger.keys import SigningKey, VerifierKey, parse_signing_key, parse_verifier_key
from tests.ledger.builders import KEY

# The example key pair of Go's golang.org/x/mod/sumdb/note tests: a public interop vector.
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"


def test_the_go_reference_keys_parse_and_encode_back_byte_for_byte() -> None:
    signer = parse_signing_key(GO_SIGNER)
    assert signer.encode() == GO_SIGNER
    assert signer.verifier.encode() == GO_VERIFIER
    assert parse_verifier_key(GO_VERIFIER) == signer.verifier
    assert signer.verifier.key_id.hex() == "c74f20a3"


def test_a_generated_key_round_trips_through_its_text() -> None:
    assert parse_signing_key(KEY.encode()) == KEY
    assert parse_verifier_key(KEY.verifier.encode() + "\n") == KEY.verifier


def test_the_private_key_never_shows_in_its_repr() -> None:
    assert KEY.seed.hex() not in repr(KEY)
    assert "secret" in repr(KEY)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "not `name\\+keyid\\+key`"),
        ("PeterNeumann+c74f20a3", "not `name\\+keyid\\+key`"),
        ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 lower-case hex"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        (
            "PeterNeumann+c74f20a3+AhpjZHcFPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "not base64 of 0x01",
        ),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "not base64 of 0x01"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "not usable"),
    ],
)
def test_malformed_verifier_keys_are_refused_precisely(text: str, says: str) -> None:
    with pytest.raises(SigningKeyError, match=says):
        parse_verifier_key(text)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (GO_VERIFIER, "does not start with `PRIVATE\\+KEY\\+`"),
        (GO_SIGNER.replace("c74f20a3", "00000000"), "does not match the private key"),
        (GO_SIGNER[:-4], "not base64 of 0x01"),
    ],
)
def test_malformed_signer_keys_are_refused_precisely(text: str, says: str) -> None:
    with pytest.raises(SigningKeyError, match=says):
        parse_signing_key(text)


def test_keys_of_the_wrong_length_are_refused() -> None:
    with pytest.raises(SigningKeyError, match="32-byte seed"):
        SigningKey("name", b"\x00" * 31)
    with pytest.raises(SigningKeyError, match="32 bytes, not 33"):
        VerifierKey("name", b"\x00" * 33)
