"""Storage: SQLAlchemy 2 models, repositories and Alembic migrations for SQLite and PostgreSQL."""
