"""Entities and value types of the protocol's world: people, organisations, identifiers."""
