"""How a protocol pack is laid out on disk: one directory, one YAML file per part of the pack.

Splitting the pack by catalogue keeps each file short enough to review on its own (the
legal grounds change with the law, the organisations with each adoption) and lets a
problem name the file it is in. Each file holds the value of one field of ``ProtocolPack``
directly: a mapping for ``pack.yaml``, ``review.yaml`` and ``suppression.yaml``, a list for
the catalogues. docs/protocol-packs.md describes every field.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PackFile:
    """One file of a pack and the field of ``ProtocolPack`` it holds."""

    name: str
    field: str
    required: bool = True
    #: what the file holds, for messages such as "expected a list of purposes"
    holds: str = ""


PACK_FILES: tuple[PackFile, ...] = (
    PackFile("pack.yaml", "pack", holds="a mapping describing the pack"),
    PackFile("organisations.yaml", "organisations", holds="a list of organisations"),
    PackFile("purposes.yaml", "purposes", holds="a list of purposes"),
    PackFile("principles.yaml", "principles", holds="a list of principles"),
    PackFile("procedures.yaml", "procedures", holds="a list of procedures"),
    PackFile("roles.yaml", "roles", holds="a list of roles"),
    PackFile("legal-grounds.yaml", "legal_grounds", holds="a list of legal grounds"),
    PackFile("data-categories.yaml", "data_categories", holds="a list of data categories"),
    PackFile("transfer-methods.yaml", "transfer_methods", holds="a list of transfer methods"),
    PackFile("review.yaml", "review", holds="a mapping: the review schedule"),
    PackFile("suppression.yaml", "suppression", holds="a mapping: the suppression rule"),
    PackFile("sections.yaml", "sections", required=False, holds="a list of sections"),
)

FILE_BY_FIELD: dict[str, PackFile] = {f.field: f for f in PACK_FILES}
FILE_BY_NAME: dict[str, PackFile] = {f.name: f for f in PACK_FILES}
