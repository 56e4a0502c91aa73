"""Schemathesis, more examples than tests/test_example_schemathesis.py and another seed:
positive and negative data against every operation of `openapi-cli serve`, all default
checks (no 5xx, documented statuses and content types, responses valid against their
schemas, valid data accepted, invalid data refused). HARDENING_EXAMPLES raises the count."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import GenerationMode

from tests.conftest import never_ends
from tests.test_example_schemathesis import selects_every_task

EXAMPLES = int(os.environ.get("HARDENING_EXAMPLES", "80"))


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schemathesis_more_examples(served_example: str, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{served_example}/spec")
    # PostgreSQL text cannot hold NUL: a documented 422, tested in test_hardening_input
    schema.config.generation.update(allow_x00=False)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [o for o in operations if not never_ends(o.definition.raw)]
    assert len(operations) >= 7
    for operation in operations:
        run_operation(served_example, operation, mode)


def run_operation(served_example: str, operation: Any, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @seed(20261125)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        headers = {"X-Api-Key": "secret"}
        if mode is GenerationMode.NEGATIVE and "X-Api-Key" not in (case.headers or {}):
            headers = {}  # the negative case is the missing key: 401 is the right answer
        if mode is GenerationMode.POSITIVE and case.query:
            case.query.pop("cursor", None)  # an opaque token only the server makes
        if mode is GenerationMode.POSITIVE and isinstance(case.body, dict):
            case.body.pop("task_id", None)  # a random uuid references no task: 422
            if "file" in case.body:  # the import reads CSV, which no schema keyword says
                case.body["file"] = b"title,severity\nfuzzed,1\n"
        if mode is GenerationMode.POSITIVE and selects_every_task(case):
            # refused as documented (422): a collection change needs a filter
            response = case.call(base_url=served_example, headers=headers, timeout=15)
            assert response.status_code == 422, response.text
            assert response.json()["message"].startswith("Refusing to "), response.text
            return
        case.call_and_validate(base_url=served_example, headers=headers, timeout=15)

    check()
