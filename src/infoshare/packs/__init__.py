"""The protocol packs infoshare ships, as package data: one directory per pack.

``leeds-2002`` is the Leeds health and social care protocol of 2002 as written; ``uk-2018``
adapts its structure to current UK law. ``infoshare.protocol.loader`` finds and loads them;
docs/protocol-packs.md describes the format.
"""
