"""OpenAPI YAML embedded in docstrings after a ``---`` line."""

from __future__ import annotations

import inspect
from typing import Any

import yaml

from .errors import InvalidSpecError


def docstring_yaml(obj: Any) -> dict[str, Any]:
    """The mapping written in YAML after the ``---`` line of ``obj``'s docstring.

    Returns ``{}`` when there is no docstring or no ``---`` line; raises
    :class:`InvalidSpecError` when the YAML is invalid or not a mapping.
    """
    doc = obj if isinstance(obj, str) else inspect.getdoc(obj)
    if not doc:
        return {}
    lines = inspect.cleandoc(doc).splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("---")), None)
    if start is None:
        return {}
    text = "\n".join(lines[start + 1 :])
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidSpecError(f"invalid YAML in docstring: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidSpecError("docstring YAML after '---' must be a mapping")
    return data
