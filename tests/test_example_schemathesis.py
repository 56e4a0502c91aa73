"""Schemathesis, a client written by others, fuzzes the example served by `openapi-cli serve`."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.conftest import never_ends


def selects_every_task(case: Any) -> bool:
    """A DELETE or PATCH of /tasks without any filter: refused, the view does not allow
    every row (its 422 says so; OpenAPI has no way to say "at least one parameter")."""
    path = case.operation.path
    return path == "/tasks" and case.method.upper() in ("DELETE", "PATCH") and not case.query


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schemathesis_example(served_example: str, mode: GenerationMode) -> None:
    """Every operation of the example, schemathesis' default checks, zero failures."""
    schema = schemathesis.openapi.from_url(f"{served_example}/spec")
    # PostgreSQL text cannot hold NUL: such strings are a documented 422, tested by
    # tests/hardening (schemathesis would count the 422 as a rejected valid request)
    schema.config.generation.update(allow_x00=False)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [o for o in operations if not never_ends(o.definition.raw)]
    assert len(operations) >= 7
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=40,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            # the right key, unless the negative case dropped the header (then 401 is right)
            headers = {"X-Api-Key": "secret"}
            if mode is GenerationMode.POSITIVE and case.query:
                # a cursor is an opaque token only the server makes: any other is a 422
                case.query.pop("cursor", None)
            if mode is GenerationMode.POSITIVE and isinstance(case.body, dict):
                # a random task_id references no task: a documented 422, not schema-level
                case.body.pop("task_id", None)
                if "file" in case.body:
                    # the import reads CSV text: content no schema keyword describes
                    case.body["file"] = b"title,severity\nfuzzed,1\n"
            if mode is GenerationMode.NEGATIVE and "X-Api-Key" not in (case.headers or {}):
                headers = {}
            if mode is GenerationMode.POSITIVE and selects_every_task(case):
                # refused as documented (422): a collection change needs a filter
                response = case.call(base_url=served_example, headers=headers)
                assert response.status_code == 422, response.text
                assert response.json()["message"].startswith("Refusing to "), response.text
                return
            case.call_and_validate(base_url=served_example, headers=headers)

        check()


@pytest.mark.slow
def test_schemathesis_example_without_credentials(served_example: str) -> None:
    """No key: every operation answers its documented 401 (schemathesis' checks), none a 5xx."""
    schema = schemathesis.openapi.from_url(f"{served_example}/spec")
    schema.config.generation.update(allow_x00=False)
    statuses: set[int] = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        assert "401" in operation.definition.raw["responses"]

        @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        @settings(
            max_examples=10,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = case.call_and_validate(base_url=served_example)
            statuses.add(response.status_code)

        check()
    assert statuses == {401}
