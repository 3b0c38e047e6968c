"""Time-based one-time passwords (RFC 6238, on HOTP of RFC 4226): the second factor.

Procedure B1 asks that people reaching personal data are who they say they are; a second
factor makes a stolen password alone useless. This is the whole algorithm, with no clock:
the caller passes the time and the random secret. SHA-1, 6 digits and 30-second steps are what every
authenticator app assumes, so they are the defaults.
"""

from __future__ import annotations

import base64
import hmac
import struct
from urllib.parse import quote, urlencode

DIGITS = 6
STEP_SECONDS = 30
#: accept a code from one step either side, for clocks a little apart
DRIFT_STEPS = 1
#: the secret's length before base32: 160 bits, as RFC 4226 section 4 recommends
SECRET_BYTES = 20


def encode_secret(key: bytes) -> str:
    """``key`` as base32 without padding, as authenticator apps take it."""
    return base64.b32encode(key).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """The HOTP value of ``counter`` under ``key`` (RFC 4226 section 5.3)."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def totp_at(
    key: bytes,
    unix_time: int,
    *,
    digits: int = DIGITS,
    digest: str = "sha1",
    step: int = STEP_SECONDS,
) -> str:
    """The TOTP value at ``unix_time`` (RFC 6238 section 4)."""
    return hotp(key, unix_time // step, digits=digits, digest=digest)


def time_step(unix_time: float) -> int:
    return int(unix_time) // STEP_SECONDS


def matching_step(secret: str, code: str, unix_time: float) -> int | None:
    """The time step ``code`` belongs to, within the allowed drift; None if it matches none.

    Callers store the step of the last code accepted and refuse it or any earlier step
    again, so a code seen over someone's shoulder cannot be replayed.
    """
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = _key(secret)
    now = time_step(unix_time)
    found = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        # compare every candidate, in constant time, so timing says nothing of which matched
        if hmac.compare_digest(hotp(key, step), code):
            found = step
    return found


def provisioning_uri(secret: str, account: str, issuer: str = "infoshare") -> str:
    """The ``otpauth://`` URI an authenticator app reads (as a QR code or typed in)."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS, "period": 30})
    return f"otpauth://totp/{label}?{query}"
