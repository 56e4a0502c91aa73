"""Websocket RPC and pub/sub across processes for aiohttp."""

__version__ = "0.1.0"

__all__ = ["__version__"]
