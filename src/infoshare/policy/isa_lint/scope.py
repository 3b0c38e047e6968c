"""What an agreement shares for each purpose, read from its need-to-know matrix (B7).

Several rules ask the same questions (which categories go out for a purpose; which
purposes a matrix row serves), so the answers are written once here.
"""

from __future__ import annotations

from infoshare.domain.agreement import InformationSharingAgreement, NeedToKnow


def row_purposes(isa: InformationSharingAgreement, row: NeedToKnow) -> list[str]:
    """The purposes a matrix row serves: its own list, or else all the agreement's."""
    return row.purposes or [p.purpose for p in isa.purposes]


def categories_for(isa: InformationSharingAgreement, purpose: str) -> list[str]:
    """The categories shared for ``purpose``: granted by the rows serving it.

    Without a matrix, everything the agreement lists is taken to be shared, so that a
    missing matrix never hides sensitive data from the legal-ground rules.
    """
    if not isa.need_to_know:
        return list(isa.data_categories)
    granted: dict[str, None] = {}
    for row in isa.need_to_know:
        if purpose in row_purposes(isa, row):
            granted.update(dict.fromkeys(row.categories))
    return list(granted)
