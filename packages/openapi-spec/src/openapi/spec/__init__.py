"""OpenAPI 3.1 documents and API views for aiohttp."""

__version__ = "0.1.0"

__all__ = ["__version__"]
