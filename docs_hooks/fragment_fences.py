"""MkDocs hook: ```` ```python fragment ```` (a README snippet that is not run as written)
is highlighted as Python; Markdown alone would not read the fence's second word."""

from __future__ import annotations

import re
from typing import Any

_FRAGMENT_FENCE = re.compile(r"^(\s*```+\s*\w+)\s+fragment\s*$", re.M)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    return _FRAGMENT_FENCE.sub(r"\1", markdown)
