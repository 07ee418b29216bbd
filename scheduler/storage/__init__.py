"""The store: the single source of truth for the queue and its history.

No SQLAlchemy exception escapes this package; callers see
:class:`~scheduler.errors.StorageError` subclasses.
"""
