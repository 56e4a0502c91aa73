"""The openapi-cli command and rest() application builder."""

__version__ = "0.1.0"

__all__ = ["__version__"]
