"""``from openapi.rest import rest``: the seed's import, the same object as ``openapi.cli.rest``."""

from openapi.cli import rest

__all__ = ["rest"]
