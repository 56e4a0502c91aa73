"""Schemathesis, a client written by others, fuzzes test applications through their spec.

Default checks (server errors, status codes, content types, response schemas, positive
data accepted, negative data rejected, ...), positive and negative data, zero failures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def fuzz(url: str, operations_expected: int, max_examples: int, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{url}/spec")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == operations_expected
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=max_examples,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            case.call_and_validate(base_url=url)

        check()


@pytest.fixture(scope="module")
def task_api_url(
    task_app_factory: Callable[..., web.Application], server_thread: Any
) -> Iterator[str]:
    with server_thread(task_app_factory()) as url:
        yield url


@pytest.fixture(scope="module")
def everything_api_url(
    everything_app_factory: Callable[[], web.Application], server_thread: Any
) -> Iterator[str]:
    with server_thread(everything_app_factory()) as url:
        yield url


@pytest.mark.parametrize("mode", MODES)
def test_schemathesis_task_api(task_api_url: str, mode: GenerationMode) -> None:
    """The task API: every operation."""
    fuzz(task_api_url, 5, 60, mode)


@pytest.mark.parametrize("mode", MODES)
def test_schemathesis_every_field_type(everything_api_url: str, mode: GenerationMode) -> None:
    """An echo of every field type: the document, openapi.data's validators and dumpers
    agree (a schema-valid body is accepted and its echo matches the response schema)."""
    fuzz(everything_api_url, 3, 100, mode)
