"""Writing a protocol pack back out as the YAML files of its directory.

The inverse of ``loader.load_pack_texts``: a pack edited in infoshare (or built in a test)
can be saved as a directory another region copies and adapts. Pure: it returns the files'
texts and leaves the writing to the caller.
"""

from __future__ import annotations

import yaml

from infoshare.protocol.layout import PACK_FILES
from infoshare.protocol.schema import ProtocolPack


def pack_texts(pack: ProtocolPack) -> dict[str, str]:
    """The YAML text of each file of ``pack``'s directory, keyed by file name."""
    data = pack.model_dump(mode="json", exclude_defaults=True)
    texts: dict[str, str] = {}
    for spec in PACK_FILES:
        if spec.field not in data:
            continue  # an optional part left at its default, such as no sections
        texts[spec.name] = yaml.safe_dump(
            data[spec.field], sort_keys=False, allow_unicode=True, width=100
        )
    return texts
