"""The OpenAPI document of a built application, as the ``spec`` and ``routes`` commands read it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click
from aiohttp import web
from openapi.spec import SPEC_APP_KEY, InvalidSpecError


def openapi_document(app: web.Application) -> dict[str, Any]:
    """The OpenAPI document of ``app``, from the renderer openapi.spec's ``setup`` stored."""
    renderer = app.get(SPEC_APP_KEY)
    if renderer is None:
        raise click.ClickException(
            "the application has no OpenAPI document (openapi.spec.setup was not called)"
        )
    try:
        document = renderer.document()
    except InvalidSpecError as exc:
        raise click.ClickException(f"invalid OpenAPI document: {exc}") from exc
    if not isinstance(document, Mapping):
        raise click.ClickException("the application's OpenAPI document is not a mapping")
    return dict(document)
