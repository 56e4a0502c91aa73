"""MkDocs hook: the Sphinx roles of the docstrings (``:class:`~openapi.cli.OpenApiClient```)
read as code in the API reference (``OpenApiClient``), not as a role name before it."""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(
    r":(?:py:)?(?:class|func|meth|attr|data|exc|mod|obj|const):<code>(~?)([^<]+)</code>"
)


def _code(match: re.Match[str]) -> str:
    short, name = match[1], match[2]
    return f"<code>{name.rsplit('.', 1)[-1] if short else name}</code>"


def on_page_content(html: str, **kwargs: Any) -> str:
    return _ROLE.sub(_code, html)
