"""Pseudonymisation, aggregation and small-number suppression (principle 11, procedure B8)."""
