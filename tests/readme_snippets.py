"""Runs the complete Python snippets of a README, each in a fresh namespace.

Usage: ``python tests/readme_snippets.py README.md``; prints one JSON object a snippet:
``{"line": N, "error": null | "traceback"}``. A block opened with ```` ```python ```` runs;
```` ```python fragment ```` (a piece of a larger program) and other languages do not.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import traceback
import types
from dataclasses import dataclass
from pathlib import Path

#: an opening fence: its indentation, its info string
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


@dataclass(frozen=True)
class Snippet:
    """A fenced code block of a markdown file."""

    path: Path
    line: int  # of the opening fence, 1-based
    info: str
    code: str

    @property
    def runs(self) -> bool:
        words = self.info.split()
        return bool(words) and words[0] == "python" and "fragment" not in words[1:]


def snippets(path: Path) -> list[Snippet]:
    """Every fenced block of ``path``, in order."""
    found = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body = []
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            body.append(lines[end][indent:])
            end += 1
        found.append(Snippet(path, index + 1, opening["info"].strip(), "\n".join(body) + "\n"))
        index = end + 1
    return found


def run(snippet: Snippet) -> str | None:
    """None when the snippet runs; else its traceback."""
    # a real module: dataclasses and typing look their class's module up in sys.modules
    module = types.ModuleType(f"readme_line_{snippet.line}")
    sys.modules[module.__name__] = module
    try:
        # what the snippet prints goes to stderr: stdout carries the results
        with contextlib.redirect_stdout(sys.stderr):
            exec(compile(snippet.code, f"{snippet.path}:{snippet.line}", "exec"), module.__dict__)
    except BaseException:
        return traceback.format_exc()
    finally:
        del sys.modules[module.__name__]
    return None


if __name__ == "__main__":
    for snippet in snippets(Path(sys.argv[1])):
        if snippet.runs:
            print(json.dumps({"line": snippet.line, "error": run(snippet)}), flush=True)
