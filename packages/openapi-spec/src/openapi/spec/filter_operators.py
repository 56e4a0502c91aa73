"""Filter operators: the ``op`` of a ``name:op`` query key, each with what it means.

Declared here, where query parameters are documented; openapi.db turns each into SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["FILTER_OPERATORS"]

#: operator name -> its meaning in a parameter's description (``eq`` is the default)
FILTER_OPERATORS: Mapping[str, str] = MappingProxyType(
    {
        "eq": "equal to",
        "ne": "not equal to",
        "gt": "greater than",
        "ge": "greater than or equal to",
        "lt": "less than",
        "le": "less than or equal to",
    }
)
