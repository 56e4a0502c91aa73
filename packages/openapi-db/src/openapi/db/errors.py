"""Errors of the database layer, as types mapped to HTTP by openapi.spec's middleware."""

from __future__ import annotations

from openapi.spec import ApiError

__all__ = ["DatabaseUnavailable", "ImproperlyConfigured", "InvalidFilter", "MigrationError"]


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


class ImproperlyConfigured(RuntimeError):
    """The database is not configured (no URL, unknown table...)."""


class MigrationError(RuntimeError):
    """A migrations folder that cannot be written or read (alembic's own errors too)."""
