"""Alembic migrations of the store; run them with ``campaign db upgrade``."""
