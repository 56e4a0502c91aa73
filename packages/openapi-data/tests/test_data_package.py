"""The package promise: stdlib and typing-extensions only, nothing done at import."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys
before = set(sys.modules)
import openapi.data, openapi.data.validate, openapi.data.dump, openapi.data.json_schema
import openapi.data.json, openapi.data.fields, openapi.data.markers
from openapi.data import validate as v
from openapi.data._compiled import compiled
new = {m.split(".")[0] for m in set(sys.modules) - before}
third_party = sorted(m for m in new if m not in sys.stdlib_module_names)
caches = [len(compiled), len(v._entries), len(v._loaders)]
print(json.dumps({"third_party": third_party, "caches": caches}))
"""


def test_import_pulls_nothing_but_typing_extensions() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], check=True, capture_output=True, text=True
    ).stdout
    result = json.loads(out)
    assert result["third_party"] == ["openapi", "typing_extensions"]
    assert result["caches"] == [0, 0, 0]
