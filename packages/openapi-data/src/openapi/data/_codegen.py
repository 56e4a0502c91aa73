"""A small builder for generated Python functions, debuggable like written code.

The source is registered in ``linecache`` under a unique ``<openapi.data generated ...>``
filename (as attrs does), so tracebacks show the generated line and ``inspect.getsource``
works; every name the code needs is passed in as a global of the compiled function.
"""

from __future__ import annotations

import itertools
import linecache
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_counter = itertools.count()
_NOT_WORD = re.compile(r"\W")


def ident(cls: Any) -> str:
    """A class name usable inside a generated identifier."""
    origin = getattr(cls, "__origin__", None)
    name = getattr(origin if isinstance(origin, type) else cls, "__name__", "type")
    return _NOT_WORD.sub("_", name)


class CodeBuilder:
    """Lines of one module of generated code plus the globals it runs with."""

    def __init__(self, globals_: dict[str, Any] | None = None) -> None:
        self.lines: list[str] = []
        self.globals: dict[str, Any] = dict(globals_ or {})
        self._level = 0
        self._names = itertools.count()

    def line(self, text: str) -> None:
        self.lines.append("    " * self._level + text)

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        self.line(header)
        self._level += 1
        try:
            yield
        finally:
            self._level -= 1

    def name(self, hint: str) -> str:
        """A fresh local or global name: ``_<hint><n>``."""
        return f"_{hint}{next(self._names)}"

    def const(self, value: Any, hint: str = "c") -> str:
        """Pass ``value`` to the generated code as a global; return its name."""
        for key, existing in self.globals.items():
            if existing is value and key.startswith(f"_{hint}"):
                return key
        key = self.name(hint)
        self.globals[key] = value
        return key

    def source(self) -> str:
        return "\n".join(self.lines) + "\n"

    def build(self, fn_name: str, label: str) -> Callable[..., Any]:
        """Compile the lines, register them in linecache, return ``fn_name``."""
        source = self.source()
        filename = f"<openapi.data generated {label} #{next(_counter)}>"
        code = compile(source, filename, "exec")
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(code, self.globals)
        fn: Callable[..., Any] = self.globals[fn_name]
        return fn
