"""The second factor's codes: RFC 6238's own test vectors, drift, replay and the otpauth URI."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from infoshare.domain import totp

# RFC 6238 appendix B: the seeds are ASCII "12345678901234567890" repeated to the hash length.
SEED_SHA1 = b"12345678901234567890"
SEED_SHA256 = b"12345678901234567890123456789012"
SEED_SHA512 = b"1234567890123456789012345678901234567890123456789012345678901234"
RFC_6238_VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("unix_time", "sha1", "sha256", "sha512"), RFC_6238_VECTORS)
def test_codes_match_rfc_6238_appendix_b(
    unix_time: int, sha1: str, sha256: str, sha512: str
) -> None:
    assert totp.totp_at(SEED_SHA1, unix_time, digits=8) == sha1
    assert totp.totp_at(SEED_SHA256, unix_time, digits=8, digest="sha256") == sha256
    assert totp.totp_at(SEED_SHA512, unix_time, digits=8, digest="sha512") == sha512


def test_hotp_matches_rfc_4226_appendix_d() -> None:
    expected = ["755224", "287082", "359152", "969429", "338314",
                "254676", "287922", "162583", "399871", "520489"]  # fmt: skip
    assert [totp.hotp(SEED_SHA1, counter) for counter in range(10)] == expected


SECRET = totp.encode_secret(SEED_SHA1)


def test_a_code_is_accepted_one_step_either_side_and_not_beyond() -> None:
    now = 1_234_567_890
    step = now // 30
    for offset in (-1, 0, 1):
        code = totp.hotp(SEED_SHA1, step + offset)
        assert totp.matching_step(SECRET, code, now) == step + offset
    for offset in (-2, 2):
        code = totp.hotp(SEED_SHA1, step + offset)
        assert totp.matching_step(SECRET, code, now) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_match_nothing(code: str) -> None:
    assert totp.matching_step(SECRET, code, 1_234_567_890) is None


def test_spaces_inside_a_code_are_ignored() -> None:
    code = totp.totp_at(SEED_SHA1, 1_234_567_890)
    spaced = f"{code[:3]} {code[3:]}"
    assert totp.matching_step(SECRET, spaced, 1_234_567_890) == 1_234_567_890 // 30


def test_the_provisioning_uri_carries_the_secret_issuer_and_account() -> None:
    uri = totp.provisioning_uri(SECRET, "ada@ltht.nhs.uk")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth"
    assert parts.netloc == "totp"
    assert parts.path == "/infoshare:ada@ltht.nhs.uk"
    query = parse_qs(parts.query)
    assert query["secret"] == [SECRET]
    assert query["issuer"] == ["infoshare"]
    assert base64.b32decode(SECRET + "=" * (-len(SECRET) % 8)) == SEED_SHA1
