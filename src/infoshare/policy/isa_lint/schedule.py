"""Lint rules about an agreement's dates and versions (Sections 1.1, 4.4).

Agreements are reviewed at least as often as the pack says (twelve months in leeds-2002,
following Section 4.4's annual reviews); an agreement past its end date supports no
sharing; an amendment is a new version and the history says so.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date

from infoshare.domain.agreement import InformationSharingAgreement, IsaStatus
from infoshare.policy.isa_lint.rule import Issue, LintContext, RuleId, Severity, rule
from infoshare.protocol.schema import ProtocolPack

#: statuses in which an agreement is finished with, so its dates no longer call for action
_FINISHED = {IsaStatus.EXPIRED, IsaStatus.TERMINATED, IsaStatus.SUPERSEDED}


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, on the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@rule(
    RuleId.REVIEW_TOO_FAR,
    Severity.ERROR,
    "Section 4.4",
    checks="the review date is within the pack's longest interval of the start or last review",
    fix="bring `review_date` forward",
)
def review_too_far(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    months = pack.review.isa_review_max_months
    since = max(isa.start_date, isa.reviewed_on or isa.start_date)
    latest = add_months(since, months)
    if isa.review_date > latest:
        yield Issue(
            ("review_date",),
            f"the review date {isa.review_date} is more than {months} months after {since}",
            f"set `review_date` on or before {latest}",
        )


@rule(
    RuleId.REVIEW_OVERDUE,
    Severity.WARNING,
    "Section 4.4",
    checks="the review date has not passed",
    fix="review the agreement, record `reviewed_on` and set the next `review_date`",
)
def review_overdue(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if isa.status in _FINISHED or (isa.end_date is not None and isa.end_date <= context.today):
        return
    if isa.review_date <= context.today:
        days = pack.review.feedback_requested_days_before
        yield Issue(
            ("review_date",),
            f"the review was due on {isa.review_date}",
            f"review it now: ask the parties for feedback ({days} days' notice is usual), "
            "then record `reviewed_on` and a new `review_date`",
        )


@rule(
    RuleId.AGREEMENT_ENDED,
    Severity.ERROR,
    "Section 1.1",
    checks="the agreement has not reached its end date",
    fix="agree a new version with a later `end_date`, or let the agreement lapse",
)
def agreement_ended(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if isa.end_date is not None and isa.end_date <= context.today:
        yield Issue(
            ("end_date",),
            f"the agreement ended on {isa.end_date}; no sharing may rely on it",
            "agree an amended version with a new `end_date` if the sharing is still needed",
        )


@rule(
    RuleId.REVIEW_AFTER_END,
    Severity.WARNING,
    "Section 4.4",
    checks="the review date falls before the end date",
    fix="set `review_date` before `end_date`",
)
def review_after_end(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if isa.end_date is not None and isa.review_date > isa.end_date:
        yield Issue(
            ("review_date",),
            f"the review date {isa.review_date} is after the end date {isa.end_date}, so "
            "the agreement is never reviewed",
            f"set `review_date` before {isa.end_date}, so that the review decides whether to "
            "renew it",
        )


@rule(
    RuleId.VERSION_HISTORY_INCONSISTENT,
    Severity.ERROR,
    "Section 4.4",
    checks="versions in `history` rise one by one, in date order, up to `version`",
    fix="list every version once, oldest first, ending with the current one",
)
def version_history_inconsistent(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> Iterator[Issue]:
    if not isa.history:
        if isa.version > 1:
            yield Issue(
                ("history",),
                f"this is version {isa.version} but the history lists no earlier version",
                "add a `history` entry for each version: `version`, `dated`, `summary`",
            )
        return
    for index, entry in enumerate(isa.history):
        if entry.version != index + 1:
            yield Issue(
                ("history", index, "version"),
                f"history entry {index + 1} is numbered {entry.version}",
                "number the versions 1, 2, 3 … oldest first",
            )
            return
        if index and entry.dated < isa.history[index - 1].dated:
            yield Issue(
                ("history", index, "dated"),
                f"version {entry.version} is dated {entry.dated}, before the version it amends",
                "correct the date; each version is dated on or after the one before",
            )
            return
    if isa.history[-1].version != isa.version:
        yield Issue(
            ("version",),
            f"the agreement is version {isa.version} but its history ends at version "
            f"{isa.history[-1].version}",
            "add the current version to `history`, or correct `version`",
        )


RULES = (
    review_too_far,
    review_overdue,
    agreement_ended,
    review_after_end,
    version_history_inconsistent,
)
