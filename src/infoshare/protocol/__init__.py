"""Protocol packs: a protocol as data (partners, purposes, principles, procedures, legal
grounds, data categories, roles, transfer methods, review schedule, suppression rule),
loaded and validated so that nothing about one region is hard-coded.
"""

from infoshare.protocol.loader import (
    builtin_pack_names,
    builtin_pack_path,
    load_builtin_pack,
    load_pack,
    load_pack_reference,
    load_pack_texts,
)
from infoshare.protocol.schema import (
    Clause,
    DataCategory,
    LegalGround,
    Membership,
    Organisation,
    OrganisationType,
    Principle,
    Procedure,
    ProtocolPack,
    Purpose,
    Role,
    TransferMethod,
)

__all__ = [
    "Clause",
    "DataCategory",
    "LegalGround",
    "Membership",
    "Organisation",
    "OrganisationType",
    "Principle",
    "Procedure",
    "ProtocolPack",
    "Purpose",
    "Role",
    "TransferMethod",
    "builtin_pack_names",
    "builtin_pack_path",
    "load_builtin_pack",
    "load_pack",
    "load_pack_reference",
    "load_pack_texts",
]
