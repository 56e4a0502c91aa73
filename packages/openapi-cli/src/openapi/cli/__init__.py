"""The openapi-cli command and rest() application builder.

The public names load on first use (PEP 562): the ``openapi-cli`` console script lives in
this package, and its ``--help`` imports neither aiohttp nor openapi.spec.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:
    from .group import SERVING, OpenApiClient, rest

__all__ = ["SERVING", "OpenApiClient", "__version__", "rest"]

#: each public name and the module defining it
_DEFINED_IN = {"SERVING": ".group", "OpenApiClient": ".group", "rest": ".group"}


def __getattr__(name: str) -> Any:
    module = _DEFINED_IN.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
