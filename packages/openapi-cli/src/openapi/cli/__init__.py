"""The openapi-cli command and rest() application builder."""

__version__ = "0.1.0"

from .group import SERVING, OpenApiClient, rest

__all__ = ["SERVING", "OpenApiClient", "__version__", "rest"]
