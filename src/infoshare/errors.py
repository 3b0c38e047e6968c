"""Every error infoshare raises on purpose, and what each means to a user.

Each shell maps this tree in one place: ``api/problems.py`` to HTTP problem+json,
``web`` to an HTML page, ``cli`` to a message and an exit code.

    InfoshareError                 base; never raised itself
    ├── InputError                 the input is wrong; nothing was changed (HTTP 422, CLI exit 1)
    │   ├── InvalidNHSNumberError  not ten digits, or the modulus-11 check digit disagrees
    │   ├── UnknownReferenceError  names a purpose, organisation, category … that does not exist
    │   ├── PackError              a protocol pack is malformed; carries every problem found
    │   ├── LedgerError            ledger input that cannot be trusted or used
    │   │   ├── LedgerEntryError   an entry or value the canonical encoding cannot hold
    │   │   ├── SigningKeyError    a signing or verifier key that is malformed
    │   │   ├── CheckpointError    a checkpoint that is malformed or whose signature fails
    │   │   ├── ProofError         a proof that is malformed or does not lead to the root
    │   │   └── LedgerRangeError   a sequence number or tree size outside the ledger
    │   ├── ConsentRecordError     a consent, withdrawal or capacity assessment that cannot be true
    │   │   ├── NaiveDatetimeError     a moment without a time zone (the core works in UTC)
    │   │   ├── InvalidPeriodError     validity that ends before, or when, it starts
    │   │   ├── FutureTimestampError   obtained, withdrawn or assessed after the `now` given
    │   │   ├── AlreadyWithdrawnError  withdrawing a consent that is already withdrawn
    │   │   └── MissingAuthorityError  a representative whose authority is not recorded
    │   └── AgreementFileError     an ISA file that is not YAML or not an agreement; every problem
    ├── ConflictError              would contradict what is stored, e.g. a duplicate code (409)
    │   └── AgreementStateError    an ISA's status does not allow this, e.g. signing twice
    │       └── AgreementNotReadyError  activation refused: lint errors or parties yet to sign
    ├── NotFoundError              the thing asked for does not exist (404)
    ├── PermissionDeniedError      the caller may not do this (403)
    │   └── CsrfError              a form sent without its valid anti-forgery token (403)
    ├── AuthenticationError        not signed in, or the credentials do not match (401)
    │   ├── SignInThrottledError   too many failed sign-ins; wait before trying again (429)
    │   └── OidcSignInError        an organisation's OpenID Connect provider's answer was refused
    ├── NotReadyError              the database is not initialised or not current (503; CLI exit 1)
    └── ConfigurationError         settings are missing or unsafe (CLI exit 2; the app won't start)

Messages start in lower case, put the user's input in backticks and say what to do.
"""

from __future__ import annotations

from dataclasses import dataclass


class InfoshareError(Exception):
    """Base of every error infoshare raises on purpose."""

    #: a stable, machine-readable code, e.g. ``invalid-nhs-number``
    code: str = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: where the problem is: a field name, a JSON pointer or ``file:line``
        self.field = field


class InputError(InfoshareError):
    """The input is wrong. Nothing was changed."""

    code = "invalid-input"


class InvalidNHSNumberError(InputError):
    """An NHS number that is not ten digits or fails its modulus-11 check."""

    code = "invalid-nhs-number"


class UnknownReferenceError(InputError):
    """A reference to a purpose, organisation, category, … that does not exist."""

    code = "unknown-reference"


@dataclass(frozen=True, slots=True)
class PackProblem:
    """One problem in a protocol pack: which file, where in it, and why."""

    file: str
    location: str
    reason: str
    #: the line in ``file`` (1-based), where the pack's loader could tell
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.location}: {self.reason}"


class PackError(InputError):
    """A protocol pack failed validation. ``problems`` lists every problem, not only the first."""

    code = "invalid-pack"

    def __init__(self, problems: list[PackProblem]) -> None:
        count = len(problems)
        first = problems[0] if problems else PackProblem("?", "?", "unknown problem")
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"the protocol pack has {count} {noun}; first: {first}", field=first.file)
        self.problems = problems


class ConflictError(InfoshareError):
    """The change would contradict what is already stored, e.g. a duplicate code."""

    code = "conflict"


class NotFoundError(InfoshareError):
    """The thing asked for does not exist (or the caller may not know that it does)."""

    code = "not-found"


class PermissionDeniedError(InfoshareError):
    """The caller may not do this."""

    code = "permission-denied"


class CsrfError(PermissionDeniedError):
    """A form sent without the anti-forgery token of the page it came from (Procedure B1)."""

    code = "csrf-failed"


class AuthenticationError(InfoshareError):
    """Not signed in, the session has ended, or the credentials or second factor are wrong."""

    code = "not-authenticated"


class SignInThrottledError(AuthenticationError):
    """Too many failed sign-ins for this account or from this address; wait, then try again."""

    code = "sign-in-throttled"

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class OidcSignInError(AuthenticationError):
    """Signing in through an organisation's OpenID Connect provider failed; nothing changed.

    ``message`` is for the person signing in; ``reason`` is the precise cause, for the log.
    """

    code = "oidc-sign-in-failed"

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class NotReadyError(InfoshareError):
    """The database is not ready to serve: unreachable, never initialised, or schema behind."""

    code = "not-ready"


class ConfigurationError(InfoshareError):
    """Settings are missing or unsafe; infoshare refuses to start rather than run insecurely."""

    code = "configuration"


class LedgerError(InputError):
    """Ledger input (an entry, key, checkpoint or proof) that cannot be used or trusted."""

    code = "ledger"


class LedgerEntryError(LedgerError):
    """An entry or value that the ledger's canonical encoding cannot hold."""

    code = "invalid-ledger-entry"


class SigningKeyError(LedgerError):
    """A signing key or verifier key whose text or bytes are malformed."""

    code = "invalid-signing-key"


class CheckpointError(LedgerError):
    """A checkpoint that is malformed, names another log, or whose signature does not verify."""

    code = "invalid-checkpoint"


class ProofError(LedgerError):
    """An inclusion or consistency proof that is malformed or does not lead to the root."""

    code = "invalid-proof"


class LedgerRangeError(LedgerError):
    """A sequence number, leaf index or tree size outside the ledger (or outside the tree)."""

    code = "ledger-out-of-range"


class ConsentRecordError(InputError):
    """A consent, withdrawal or capacity assessment that contradicts itself (A1–A3)."""

    code = "invalid-consent-record"


class NaiveDatetimeError(ConsentRecordError):
    """A moment given without a time zone; the core compares moments in UTC."""

    code = "naive-datetime"


class InvalidPeriodError(ConsentRecordError):
    """A validity period that ends before (or when) it starts."""

    code = "invalid-period"


class FutureTimestampError(ConsentRecordError):
    """Something recorded as obtained, withdrawn or assessed after the moment of recording."""

    code = "timestamp-in-future"


class AlreadyWithdrawnError(ConsentRecordError):
    """A withdrawal of a consent that is already withdrawn; a withdrawal is recorded once."""

    code = "already-withdrawn"


class MissingAuthorityError(ConsentRecordError):
    """A representative acting for someone without the authority that lets them act recorded."""

    code = "missing-authority"


class AgreementFileError(InputError):
    """An Information Sharing Agreement file that is not YAML or not an agreement.

    ``problems`` lists every problem (file, location, reason, line), not only the first.
    """

    code = "invalid-agreement"

    def __init__(self, problems: list[PackProblem]) -> None:
        count = len(problems)
        first = problems[0] if problems else PackProblem("?", "?", "unknown problem")
        noun = "problem" if count == 1 else "problems"
        listed = "\n".join(f"  {problem}" for problem in problems)
        where = first.file if first.line is None else f"{first.file}:{first.line}"
        super().__init__(f"the agreement file has {count} {noun}:\n{listed}", field=where)
        self.problems = problems


class AgreementStateError(ConflictError):
    """An agreement's status does not allow the step asked for, e.g. signing twice."""

    code = "agreement-state"


class AgreementNotReadyError(AgreementStateError):
    """Activation refused: lint errors, or a party has not signed; ``reasons`` says which."""

    code = "agreement-not-ready"

    def __init__(self, message: str, reasons: list[str]) -> None:
        super().__init__(message)
        self.reasons = reasons
