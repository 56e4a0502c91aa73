"""``@op``: the schemas of one view method, read by the view and by the spec."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

OPERATION_ATTRIBUTE = "__openapi_operation__"


@dataclass(frozen=True)
class Operation:
    """The schemas of one operation (a view method).

    ``body_schema`` and ``response_schema`` are a dataclass or a list of one
    (``list[Task]``, or the seed's ``[Task]``, the same); ``query_schema`` a dataclass.
    """

    body_schema: Any = None
    query_schema: Any = None
    response_schema: Any = None
    response: int = 200
    """the success status of the operation, as documented"""
    response_headers: Mapping[str, Mapping[str, Any]] | None = None
    """OpenAPI header objects by name, added to the success response"""
    security: Sequence[Mapping[str, Sequence[str]]] | None = None
    """OpenAPI security requirement, enforced: ``[]`` is public, None the app's default"""
    strict_query: bool = True
    """refuse (422) query keys the query schema does not accept; False ignores them"""
    body_content: Sequence[str] | None = None
    """media types the body is read from (JSON, ``application/x-www-form-urlencoded``,
    ``multipart/form-data``); None: multipart when the body has a file field, else JSON"""
    body_examples: Mapping[str, Any] | None = None
    """request body examples by name (JSON data), checked against ``body_schema``"""
    response_examples: Mapping[str, Any] | None = None
    """success response examples by name (JSON data), checked against ``response_schema``"""
    response_media_type: str | None = None
    """media type of the success response (``application/x-ndjson``, ``text/event-stream``);
    None is JSON. For a stream, ``response_schema`` is the schema of one item"""

    def __post_init__(self) -> None:
        # the seed's spelling: [Task] is list[Task]
        for name in ("body_schema", "response_schema"):
            schema = getattr(self, name)
            if isinstance(schema, list) and len(schema) == 1:
                object.__setattr__(self, name, list[schema[0]])  # type: ignore[valid-type]


def op(
    body_schema: Any = None,
    query_schema: Any = None,
    response_schema: Any = None,
    response: int = 200,
    response_headers: Mapping[str, Mapping[str, Any]] | None = None,
    security: Sequence[Mapping[str, Sequence[str]]] | None = None,
    strict_query: bool = True,
    body_content: Sequence[str] | None = None,
    body_examples: Mapping[str, Any] | None = None,
    response_examples: Mapping[str, Any] | None = None,
    response_media_type: str | None = None,
) -> Callable[[F], F]:
    """Attach an :class:`Operation` to a view method; the method itself is unchanged.

    ``security`` is the operation's requirement in OpenAPI's shape:
    ``[{"apiKey": []}, {"oauth2": ["tasks:write"]}]`` accepts either, ``[]`` is public,
    None (the default) uses the application's requirement.

    Query strings are strict: a key that is not a field of ``query_schema`` (nor a
    ``name:op`` the field allows) answers 422 naming it. ``strict_query=False`` ignores
    such keys instead, for an operation that must tolerate them (cache busters).

    ``body_content`` lists the
    media types the body is read from: ``("application/json",
    "application/x-www-form-urlencoded")`` accepts both; by default a body schema with an
    :class:`~openapi.data.UploadFile` field is ``multipart/form-data``, any other JSON.

    ``body_examples`` and ``response_examples`` name examples of the request body and of
    the success response (``{"minimal": {"title": "Buy milk"}}``); each is validated
    against its schema when the document is built (at startup): a wrong one stops it.

    ``response_media_type`` documents a success response that is not JSON: a stream of
    rows (``application/x-ndjson``, see :func:`~openapi.spec.stream_rows`) or server-sent
    events (``text/event-stream``, :func:`~openapi.spec.event_stream_response`).
    """
    operation = Operation(
        body_schema=body_schema,
        query_schema=query_schema,
        response_schema=response_schema,
        response=response,
        response_headers=response_headers,
        security=security,
        strict_query=strict_query,
        body_content=tuple(body_content) if body_content is not None else None,
        body_examples=dict(body_examples) if body_examples is not None else None,
        response_examples=dict(response_examples) if response_examples is not None else None,
        response_media_type=response_media_type,
    )

    def attach(method: F) -> F:
        setattr(method, OPERATION_ATTRIBUTE, operation)
        return method

    return attach


def operation_of(method: Any) -> Operation | None:
    """The :class:`Operation` attached to ``method`` by :func:`op`, if any."""
    found = getattr(method, OPERATION_ATTRIBUTE, None)
    return found if isinstance(found, Operation) else None
