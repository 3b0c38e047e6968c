"""Whether a request is well formed enough to decide on at all (Principle 4: fail closed).

``request_problem`` finds the first malformed field; ``decide()`` turns it into a denial, and
interfaces call ``validate_request`` first so a person gets a precise error naming the field
(an HTTP 422, a CLI exit 1) rather than a denial.
"""

from __future__ import annotations

from datetime import datetime

from infoshare.errors import InputError
from infoshare.policy.decision import ClaimedBasis, ClaimKind, DisclosureRequest, SubjectFacts

_NAMED = ("requester", "provider", "recipient", "subject_id", "purpose", "transfer_method")


def request_problem(
    request: object, facts: object = None, *, facts_required: bool = False
) -> InputError | None:
    """The first thing wrong with ``request`` (and ``facts``, if given), or None."""
    if type(request) is not DisclosureRequest:
        return InputError("give a disclosure request to decide on", field="request")
    named = (
        request.requester,
        request.provider,
        request.recipient,
        request.subject_id,
        request.purpose,
        request.transfer_method,
    )
    for value in named:
        # strip() leaves nothing of an empty or blank name (the whitespace isspace() means)
        if type(value) is not str or not value.strip():
            return _unnamed(named)
    categories = request.data_categories
    if type(categories) is not tuple or not categories:
        return InputError("name at least one data category to share", field="data_categories")
    for category in categories:
        if type(category) is not str or not category.strip():
            return InputError("a data category is empty; name each one", field="data_categories")
    at = request.at
    if not isinstance(at, datetime) or at.utcoffset() is None:
        return InputError(
            "`at` must be a moment with its time zone, e.g. `2003-06-02T10:00:00+00:00`",
            field="at",
        )
    if type(request.basis) is not ClaimedBasis or type(request.basis.kind) is not ClaimKind:
        return InputError("claim a basis: consent, statutory or emergency", field="basis")
    if request.provider == request.recipient:
        return InputError(
            f"provider and recipient are both `{request.provider}`; a disclosure goes to "
            "another organisation",
            field="recipient",
        )
    if facts is not None or facts_required:
        if type(facts) is not SubjectFacts:
            return InputError("give the subject's facts", field="facts")
        if facts.subject_id != request.subject_id:
            return InputError(
                f"the facts are about `{facts.subject_id}`, not `{request.subject_id}`; "
                "fetch the facts of the person the request is about",
                field="subject_id",
            )
    return None


def _unnamed(named: tuple[object, ...]) -> InputError:
    """The error for the first of ``named`` (the request's names, in ``_NAMED``'s order)
    that is not a name."""
    for name, value in zip(_NAMED, named, strict=True):
        if type(value) is not str or not value or value.isspace():
            return InputError(f"`{name}` is empty; say who, what and how", field=name)
    raise AssertionError("every name is given")  # the caller found one that is not


def validate_request(request: DisclosureRequest, facts: SubjectFacts | None = None) -> None:
    """Raise InputError naming the field when ``request`` cannot be decided on."""
    problem = request_problem(request, facts)
    if problem is not None:
        raise problem
