"""Checks across a protocol pack that the schema of one entry cannot make.

The schema checks each entry alone; these check that the entries agree: ids are unique,
references point at something that exists, the principles and procedures are numbered
without gaps (rules cite them as "Principle 7" and "Procedure A5", so a gap would make a
citation dangle), sensitive categories say which provision makes them sensitive, and only
parties adopt the protocol (Section 1.2, Procedure C1). Every finding is returned, never only
the first, so an author fixes a pack in one pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from infoshare.protocol.schema import (
    PROCEDURE_ID,
    Membership,
    ProtocolPack,
)

E = TypeVar("E")


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem at ``path`` in the pack, e.g. ``("legal_grounds", 4, "purposes", 1)``."""

    path: tuple[str | int, ...]
    reason: str


def validate_pack(pack: ProtocolPack) -> list[Finding]:
    """Every cross-reference problem in ``pack``; an empty list means the pack is consistent."""
    findings: list[Finding] = []
    findings += _unique(pack.organisations, "organisations", "code", lambda o: o.code)
    findings += _unique(pack.purposes, "purposes", "id", lambda p: p.id)
    findings += _unique(pack.principles, "principles", "id", lambda p: p.id)
    findings += _unique(pack.procedures, "procedures", "id", lambda p: p.id)
    findings += _unique(pack.roles, "roles", "id", lambda r: r.id)
    findings += _unique(pack.legal_grounds, "legal_grounds", "id", lambda g: g.id)
    findings += _unique(pack.data_categories, "data_categories", "id", lambda c: c.id)
    findings += _unique(pack.transfer_methods, "transfer_methods", "id", lambda m: m.id)
    findings += _unique(pack.sections, "sections", "id", lambda s: s.id)
    for index, method in enumerate(pack.transfer_methods):
        findings += _unique(
            method.safeguards,
            ("transfer_methods", index, "safeguards"),
            "id",
            lambda s: s.id,
        )
    findings += _organisations(pack)
    findings += _numbering(pack)
    findings += _legal_grounds(pack)
    findings += _data_categories(pack)
    findings += _procedure_references(pack)
    findings += _roles(pack)
    findings += _review(pack)
    return findings


def _unique(
    items: Sequence[E],
    where: str | tuple[str | int, ...],
    field: str,
    key: Callable[[E], str],
) -> list[Finding]:
    prefix = (where,) if isinstance(where, str) else where
    first: dict[str, int] = {}
    findings = []
    for index, item in enumerate(items):
        value = key(item)
        if value in first:
            where_first = render_path((*prefix, first[value]))
            reason = (
                f"duplicate {field} `{value}` (first used at {where_first}); "
                f"give each a unique {field}"
            )
            findings.append(Finding((*prefix, index, field), reason))
        else:
            first[value] = index
    return findings


def _organisations(pack: ProtocolPack) -> list[Finding]:
    findings = []
    if not any(o.membership is Membership.PARTY for o in pack.organisations):
        findings.append(
            Finding(
                ("organisations",),
                "no organisation is a party; a protocol needs at least one party (Section 1.2)",
            )
        )
    for index, org in enumerate(pack.organisations):
        if org.adoption is None:
            continue
        if org.membership is not Membership.PARTY:
            reason = (
                f"`{org.code}` is a {org.membership.value}, and only parties adopt the protocol "
                "(Section 1.2, Procedure C1); remove its adoption or make it a party"
            )
            findings.append(Finding(("organisations", index, "adoption"), reason))
        if org.adoption.approved_on > pack.pack.as_of:
            reason = (
                f"approved on {org.adoption.approved_on.isoformat()}, after the pack's as_of date "
                f"{pack.pack.as_of.isoformat()}; the pack records the state as at that date"
            )
            findings.append(Finding(("organisations", index, "adoption", "approved_on"), reason))
    return findings


def _numbering(pack: ProtocolPack) -> list[Finding]:
    findings = []
    numbers = sorted(p.number for p in pack.principles)
    missing = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
    if missing:
        gaps = ", ".join(f"P{n}" for n in missing)
        reason = (
            f"principles are numbered with gaps: {gaps} missing; number them P1 to P{max(numbers)}"
        )
        findings.append(Finding(("principles",), reason))

    by_letter: dict[str, list[int]] = defaultdict(list)
    section_titles: dict[str, str] = {}
    for index, procedure in enumerate(pack.procedures):
        match = PROCEDURE_ID.match(procedure.id)
        assert match is not None  # the schema's pattern guarantees it
        letter = match.group(1)
        by_letter[letter].append(int(match.group(2)))
        title = section_titles.setdefault(letter, procedure.section)
        if procedure.section != title:
            reason = (
                f"procedure `{procedure.id}` is in section `{procedure.section}`, but other "
                f"{letter} procedures are in `{title}`; use one section title per letter"
            )
            findings.append(Finding(("procedures", index, "section"), reason))
    for letter, found in sorted(by_letter.items()):
        missing = sorted(set(range(1, max(found) + 1)) - set(found))
        if missing:
            gaps = ", ".join(f"{letter}{n}" for n in missing)
            reason = (
                f"procedures are numbered with gaps: {gaps} missing; "
                f"number them {letter}1 to {letter}{max(found)}"
            )
            findings.append(Finding(("procedures",), reason))
    return findings


def _legal_grounds(pack: ProtocolPack) -> list[Finding]:
    findings = []
    purposes = {p.id for p in pack.purposes}
    grounds = {g.id for g in pack.legal_grounds}
    for index, ground in enumerate(pack.legal_grounds):
        for position, purpose in enumerate(ground.purposes):
            if purpose not in purposes:
                reason = f"unknown purpose `{purpose}`; use one of {_listing(purposes)}"
                findings.append(Finding(("legal_grounds", index, "purposes", position), reason))
        for position, other in enumerate(ground.relies_on):
            if other not in grounds:
                reason = (
                    f"relies on unknown legal ground `{other}`; use the id of a ground in this pack"
                )
                findings.append(Finding(("legal_grounds", index, "relies_on", position), reason))
            elif other == ground.id:
                reason = f"`{ground.id}` relies on itself; name the other grounds it needs"
                findings.append(Finding(("legal_grounds", index, "relies_on", position), reason))
        if ground.effect == "constraint" and ground.permits_sharing_without_consent:
            reason = (
                f"`{ground.id}` is a constraint, which limits sharing and cannot justify it; "
                "set permits_sharing_without_consent to false"
            )
            findings.append(
                Finding(("legal_grounds", index, "permits_sharing_without_consent"), reason)
            )
    return findings


def _data_categories(pack: ProtocolPack) -> list[Finding]:
    findings = []
    for index, category in enumerate(pack.data_categories):
        if category.sensitive and not category.sensitive_under:
            reason = (
                f"`{category.id}` is sensitive but does not say under which provision; "
                "set sensitive_under, e.g. `DPA 1998 s.2(e)`"
            )
            findings.append(Finding(("data_categories", index, "sensitive_under"), reason))
        if not category.sensitive and category.sensitive_under:
            reason = (
                f"`{category.id}` names a provision ({category.sensitive_under}) but is not "
                "marked sensitive; set sensitive to true or remove sensitive_under"
            )
            findings.append(Finding(("data_categories", index, "sensitive"), reason))
    if any(c.sensitive for c in pack.data_categories) and not any(
        g.covers_sensitive_data for g in pack.legal_grounds
    ):
        reason = (
            "the pack has sensitive data categories but no legal ground covers sensitive data; "
            "mark the grounds that do with covers_sensitive_data: true"
        )
        findings.append(Finding(("legal_grounds",), reason))
    return findings


def _procedure_references(pack: ProtocolPack) -> list[Finding]:
    findings = []
    procedures = {p.id for p in pack.procedures}
    for index, method in enumerate(pack.transfer_methods):
        if method.procedure not in procedures:
            reason = f"unknown procedure `{method.procedure}`; use one of {_listing(procedures)}"
            findings.append(Finding(("transfer_methods", index, "procedure"), reason))
    if pack.suppression.procedure not in procedures:
        reason = (
            f"unknown procedure `{pack.suppression.procedure}`; use one of {_listing(procedures)}"
        )
        findings.append(Finding(("suppression", "procedure"), reason))
    return findings


def _roles(pack: ProtocolPack) -> list[Finding]:
    findings = []
    for index, role in enumerate(pack.roles):
        for position, clause in enumerate(role.clauses):
            if not pack.cites(clause):
                reason = (
                    f"cites `{clause}`, which the pack does not define; cite a principle, "
                    "procedure or section the pack has, e.g. `Procedure A5` or `Section 4.1`"
                )
                findings.append(Finding(("roles", index, "clauses", position), reason))
    overridable = any(g.permits_sharing_without_consent for g in pack.legal_grounds)
    approves = any(r.may_approve_disclosure_without_consent for r in pack.roles)
    if overridable and not approves:
        reason = (
            "legal grounds permit sharing without consent but no role may approve it "
            "(Principle 6, Procedure A5); set may_approve_disclosure_without_consent on one"
        )
        findings.append(Finding(("roles",), reason))
    return findings


def _review(pack: ProtocolPack) -> list[Finding]:
    low, high = pack.review.first_review_after_months
    if low > high:
        reason = f"the range {low}–{high} runs backwards; write the earlier month first"
        return [Finding(("review", "first_review_after_months"), reason)]
    return []


def _listing(ids: Iterable[str]) -> str:
    return ", ".join(f"`{i}`" for i in sorted(ids))


def render_path(path: Sequence[str | int]) -> str:
    """``("purposes", 3, "id")`` as ``purposes[3].id``, the way problems name a location."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else step
    return text


def value_shape(value: object) -> str:
    """What a problem says it got instead: a short value in backticks, else its kind."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, str | int | float | bool | date):
        return f"`{value}`"
    return f"a {type(value).__name__}"
