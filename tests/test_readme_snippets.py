"""README snippets are promises: every ```python block of a package README (and of the top
README) runs as written, imports included; a block marked ```python fragment is a piece of
a larger program and is only shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.readme_snippets import Snippet, snippets

ROOT = Path(__file__).resolve().parent.parent
READMES = sorted(ROOT.glob("packages/*/README.md")) + [ROOT / "README.md"]


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_complete_snippet_runs(readme: Path, pg_url: str, tmp_path: Path) -> None:
    complete = [s for s in snippets(readme) if s.runs]
    if not complete:
        pytest.skip("no complete Python snippet")
    # one process a README, each snippet in a fresh module; a scratch working directory
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "readme_snippets.py"), str(readme)],
        cwd=tmp_path,
        env={**os.environ, "DATASTORE": pg_url, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    outcomes = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["line"] for o in outcomes] == [s.line for s in complete]
    failed = [f"{readme.name}:{o['line']}\n{o['error']}" for o in outcomes if o["error"]]
    assert not failed, "\n".join(failed)


def test_the_extractor(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "# x\n\n```python\nx = 1\n```\n\n```python fragment\nundefined_name\n```\n\n"
        "```bash\nexit 1\n```\n\n- a list item:\n\n  ```python\n  y = 2\n  ```\n\n"
        "````python\n```\nquoted = 3\n````\n"
    )
    found = snippets(readme)
    assert [(s.line, s.info, s.runs) for s in found] == [
        (3, "python", True),
        (7, "python fragment", False),
        (11, "bash", False),
        (17, "python", True),
        (21, "python", True),
    ]
    assert found[3].code == "y = 2\n"
    assert found[4].code == "```\nquoted = 3\n"
    assert isinstance(found[0], Snippet)
