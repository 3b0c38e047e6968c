"""Every error infoshare raises on purpose, and what each means to a user.

Each shell maps this tree in one place: ``api/problems.py`` to HTTP problem+json,
``web`` to an HTML page, ``cli`` to a message and an exit code.

    InfoshareError                 base; never raised itself
    ├── InputError                 the input is wrong; nothing was changed (HTTP 422, CLI exit 1)
    │   ├── InvalidNHSNumberError  not ten digits, or the modulus-11 check digit disagrees
    │   ├── UnknownReferenceError  names a purpose, organisation, category … that does not exist
    │   └── PackError              a protocol pack is malformed; carries every problem found
    ├── ConflictError              would contradict what is stored, e.g. a duplicate code (409)
    ├── NotFoundError              the thing asked for does not exist (404)
    ├── PermissionDeniedError      the caller may not do this (403)
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

    def __str__(self) -> str:
        return f"{self.file}: {self.location}: {self.reason}"


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


class ConfigurationError(InfoshareError):
    """Settings are missing or unsafe; infoshare refuses to start rather than run insecurely."""

    code = "configuration"
