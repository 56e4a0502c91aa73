"""Errors a handler raises to answer a JSON error, and the spec's own errors."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """An error answered as JSON ``{"message": ..., "errors": [...]}`` with :attr:`status`.

    Subclass it and set ``status`` to map a domain error to an HTTP status; the JSON
    error middleware installed by :func:`openapi.spec.setup` does the mapping.
    """

    status: int = 500

    def __init__(
        self,
        message: str = "",
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        if status is not None:
            self.status = status
        self.message = message or _phrase(self.status)
        self.errors = errors
        self.headers = dict(headers) if headers else None
        super().__init__(self.message)


class BadRequest(ApiError):
    """400: the request could not be read (malformed JSON, wrong shape)."""

    status = 400


class Unauthorized(ApiError):
    """401: credentials are missing or wrong; ``headers`` carry the ``WWW-Authenticate``
    challenge."""

    status = 401


class Forbidden(ApiError):
    """403: the credentials are valid but do not allow this operation."""

    status = 403


class InsufficientScope(Forbidden):
    """403: the credentials lack scopes the operation requires; the message names them.

    A ``verify`` callable of an :class:`~openapi.spec.OAuth2` or
    :class:`~openapi.spec.OpenIdConnect` scheme raises it.
    """

    def __init__(self, scopes: list[str] | tuple[str, ...], message: str = "") -> None:
        self.scopes = tuple(scopes)
        super().__init__(message or f"Missing required scope: {' '.join(self.scopes)}")


class NotFound(ApiError):
    """404: the resource does not exist."""

    status = 404


class UnsupportedMediaType(ApiError):
    """415: the request body is not in a media type the operation reads (JSON, a form)."""

    status = 415


class Conflict(ApiError):
    """409: the request conflicts with the current state of the resource."""

    status = 409


class PayloadTooLarge(ApiError):
    """413: the body passed the size limit (or a form its number of fields)."""

    status = 413


class UnprocessableEntity(ApiError):
    """422: the data is well formed but invalid; ``errors`` lists the bad fields."""

    status = 422

    def __init__(
        self,
        message: str = "",
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(
            message or "Invalid data", errors=errors or [], headers=headers, status=status
        )


class InvalidSpecError(RuntimeError):
    """The application's views cannot be documented (bad docstring YAML, missing docs)."""


class ConfigurationError(ValueError):
    """The application's configuration cannot work (an environment variable or an option
    with a value it cannot take): raised while the application is set up, its message
    alone says what to change (``openapi-cli serve`` stops with it, no traceback)."""


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
