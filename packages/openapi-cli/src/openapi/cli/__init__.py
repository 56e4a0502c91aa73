"""The openapi-cli command and rest() application builder."""

from .group import SERVING, OpenApiClient, rest
from .version import __version__

__all__ = ["SERVING", "OpenApiClient", "__version__", "rest"]
