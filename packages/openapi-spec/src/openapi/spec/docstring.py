"""What a docstring documents: OpenAPI YAML after a ``---`` line, or else plain prose
(the first paragraph is the summary, the rest the description)."""

from __future__ import annotations

import inspect
from typing import Any

import yaml

from .errors import InvalidSpecError

# libyaml's parser when PyYAML has it: the same safe types, read about 10x faster (the
# document of an application is built at start-up, from every view's docstring)
_SAFE_LOADER: type[yaml.SafeLoader | yaml.CSafeLoader] = (
    yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
)


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
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise InvalidSpecError(f"invalid YAML in docstring: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidSpecError("docstring YAML after '---' must be a mapping")
    return data


def docstring_spec(obj: Any) -> dict[str, Any]:
    """What ``obj``'s docstring documents: the YAML after its ``---`` line when it has
    one (:func:`docstring_yaml`); otherwise its first paragraph as ``summary`` and the
    other paragraphs as ``description``."""
    # its own docstring only: a view without one must not show its base class's prose
    doc = obj if isinstance(obj, str) else getattr(obj, "__doc__", None)
    if not doc:
        return docstring_yaml(obj)
    lines = inspect.cleandoc(doc).splitlines()
    if any(line.strip().startswith("---") for line in lines):
        return docstring_yaml(doc)
    paragraphs = [p.strip() for p in "\n".join(lines).split("\n\n") if p.strip()]
    found: dict[str, Any] = {}
    if paragraphs:
        found["summary"] = " ".join(paragraphs[0].split())
    if len(paragraphs) > 1:
        found["description"] = "\n\n".join(paragraphs[1:])
    return found
