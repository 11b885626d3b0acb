"""The error a user can fix by changing a filter or parameter (shown to them as is)."""


class QueryError(ValueError):
    """A filter or parameter a user can fix (shown to them as is)."""
