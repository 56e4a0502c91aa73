"""Errors of the database layer, as types mapped to HTTP by openapi.spec's middleware."""

from __future__ import annotations

from collections.abc import Sequence

from openapi.spec import ApiError

__all__ = [
    "DatabaseUnavailable",
    "FilterRequired",
    "ImproperlyConfigured",
    "InvalidFilter",
    "MigrationError",
]


class DatabaseUnavailable(ApiError):
    """PostgreSQL cannot be reached (or no connection is free in time): HTTP 503."""

    status = 503

    def __init__(self, message: str = "Database unavailable") -> None:
        super().__init__(message, headers={"Retry-After": "1"})


class InvalidFilter(ApiError):
    """A filter or ordering names no column, or uses an unknown operator: HTTP 422."""

    status = 422

    def __init__(self, field: str, message: str = "unknown filter") -> None:
        super().__init__("Invalid filter", errors=[{"field": field, "message": message}])
        self.field = field


class FilterRequired(ApiError):
    """A collection DELETE or PATCH without any filter, on a view that does not allow
    every row (``SqlApiPath.all_rows``): HTTP 422 saying which filters select rows."""

    status = 422

    def __init__(self, action: str, filter_keys: Sequence[str]) -> None:
        hint = (
            f"select the rows with at least one of: {', '.join(filter_keys)}"
            if filter_keys
            else "this path has no filter to select rows with"
        )
        super().__init__(
            f"Refusing to {action} every row: {hint}",
            errors=[{"field": "", "message": f"a filter is required to {action} rows"}],
        )


class ImproperlyConfigured(RuntimeError):
    """The database is not configured (no URL, unknown table...)."""


class MigrationError(RuntimeError):
    """A migrations folder that cannot be written or read (alembic's own errors too)."""
