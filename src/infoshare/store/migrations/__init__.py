"""Alembic migrations for SQLite and PostgreSQL: one history, run through ``store/schema.py``."""
