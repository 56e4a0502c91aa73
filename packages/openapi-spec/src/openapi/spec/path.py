"""``ApiPath``: an aiohttp class-based view whose methods are documented operations.

Its methods raise error types (:mod:`openapi.spec.errors`); the JSON error middleware
turns them into answers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, NoReturn, Protocol

from aiohttp import hdrs, web
from openapi.data.dump import dump as dump_data
from openapi.data.json import dumps_bytes, loads
from openapi.data.validate import validate
from yarl import URL

from .declarations import view_errors
from .errors import BadRequest, NotFound, UnprocessableEntity, UnsupportedMediaType
from .form_body import FORM_MEDIA_TYPES, FormReader, body_media_types, form_shape
from .json_response import json_body_response
from .middleware import JSON_CONTENT_TYPE
from .operation import Operation, operation_of
from .query import check_query
from .schemes import Principal
from .security import SECURITY_KEY

INVALID_DATA_MESSAGE = "Invalid data"
BAD_JSON_MESSAGE = "Malformed JSON body"
NOT_OBJECT_MESSAGE = "The JSON body must be an object"
NOT_ARRAY_MESSAGE = "The JSON body must be an object or an array"

ErrorList = list[dict[str, Any]]

#: :attr:`ApiPath.current_op` not looked up yet
_UNKNOWN = object()


class MultiValues(Protocol):
    """A mapping with repeated keys, such as ``request.query``."""

    def keys(self) -> Any: ...

    def getall(self, key: str) -> list[str]: ...


class ApiPath(web.View):
    """A view for one OpenAPI path; decorate its methods with :func:`openapi.spec.op`."""

    path_schema: ClassVar[Any] = None
    """dataclass validating the path variables (``request.match_info``)"""
    private: ClassVar[bool] = False
    """hide the whole path from the OpenAPI document"""
    max_form_fields: ClassVar[int] = 1000
    """a form body with more fields answers 413"""

    _form: FormReader | None = None
    _current_op: Operation | None | object = _UNKNOWN

    principal: Principal = None
    """Who sent the request, as the security scheme's ``verify`` returned it (None for
    a public operation)."""

    async def _iter(self) -> web.StreamResponse:
        # aiohttp's View._iter, with the security check and the uploads' clean-up, in
        # one coroutine: a level less on every request
        request = self.request
        method = request.method
        name = method.lower()
        handler = getattr(type(self), name, None) if method in hdrs.METH_ALL else None
        if handler is None and method == hdrs.METH_HEAD:
            # HEAD is GET without the body (RFC 9110), which aiohttp leaves out
            name = "get"
            handler = getattr(type(self), name, None)
        if handler is None:
            raise web.HTTPMethodNotAllowed(method, self.allowed_methods())
        self._current_op = operation_of(handler)
        security = request.app.get(SECURITY_KEY)
        if security:
            compiled = security.operation_requirement(handler, type(self).__name__)
            if compiled:
                self.principal = await security.check(request, compiled)
        try:
            response: web.StreamResponse = await getattr(self, name)()
            return response
        finally:
            # uploads live as long as the request: their temporary files go with it
            if self._form is not None:
                self._form.close()

    @classmethod
    def allowed_methods(cls) -> set[str]:
        """The HTTP methods the view answers: its methods, and HEAD where it has GET."""
        allowed = {m for m in hdrs.METH_ALL if getattr(cls, m.lower(), None)}
        if hdrs.METH_GET in allowed:
            allowed.add(hdrs.METH_HEAD)
        return allowed

    @classmethod
    def declaration_errors(cls, app: web.Application, path: str) -> Iterator[str]:
        """Mistakes in what this view declares for its route ``path`` in ``app``, one
        message each naming the view, method and field: checked when the application
        starts. Subclasses add theirs after ``yield from super().declaration_errors(...)``.
        """
        return view_errors(cls, path)

    @property
    def current_op(self) -> Operation | None:
        """The :class:`Operation` of the method serving this request."""
        found = self._current_op
        if found is _UNKNOWN:
            # looked up once a request: schemas are read through it several times
            found = self._current_op = operation_of(
                getattr(self, self.request.method.lower(), None)
            )
        return found  # type: ignore[return-value]

    # validation

    def cleaned(
        self,
        schema: Any,
        data: Any,
        *,
        multiple: bool = False,
        strict: bool = True,
    ) -> Any:
        """Validate ``data`` with ``schema``: the converted data, or a 422 JSON answer.

        ``schema`` may also name an attribute of the current operation
        (``"body_schema"``, ``"query_schema"``) or of the view (``"path_schema"``).
        """
        validated = validate(self._schema(schema), data, strict=strict, multiple=multiple)
        if validated.errors:
            if schema == "path_schema" or schema is self.path_schema:
                raise NotFound()
            self.raise_validation_error(errors=validated.errors)
        return validated.data

    @classmethod
    def documented_responses(
        cls, app: web.Application, method: str, operation: Operation
    ) -> dict[str, Any]:
        """Responses the view adds to the document of ``method`` (OpenAPI response
        objects by status), e.g. a 409 where the view's table has unique columns. The
        method's docstring overrides them; none by default."""
        return {}

    def path_values(self) -> dict[str, Any]:
        """Path variables validated with :attr:`path_schema`; a bad value answers 404."""
        if self.path_schema is None:
            return dict(self.request.match_info)
        # path variables are strings, like query values: coerce them ("7" -> 7)
        return dict(self.cleaned(self.path_schema, dict(self.request.match_info), multiple=True))

    def insert_data(
        self, data: Any, *, strict: bool = True, body_schema: Any = None
    ) -> dict[str, Any]:
        """Validate body data with ``body_schema`` (default: the operation's), adding the
        validated path variables when the view has a :attr:`path_schema`."""
        schema = body_schema if body_schema is not None else "body_schema"
        # a form's values are text, converted as query strings are
        values = dict(self.cleaned(schema, data, strict=strict, multiple=self.form_body))
        if self.path_schema is not None:
            values.update(self.path_values())
        return values

    def get_filters(
        self, query: Mapping[str, Any] | None = None, *, query_schema: Any = None
    ) -> dict[str, Any]:
        """Query-string filters validated with ``query_schema`` (default: the operation's).

        Repeated keys become lists, ``name:op`` keys are kept; ``query`` gives defaults
        the request's query string overrides. Validated path variables are added when
        the view has a :attr:`path_schema`.
        """
        combined = dict(query or {})
        combined.update(self.request_query(query_schema))
        schema = query_schema if query_schema is not None else "query_schema"
        filters: dict[str, Any] = {}
        if self._find_schema(schema) is not None:
            filters = dict(self.cleaned(schema, combined, multiple=True))
        if self.path_schema is not None:
            filters.update(self.path_values())
        return filters

    def request_query(self, query_schema: Any = None) -> dict[str, Any]:
        """The request's query string as a dict (repeated keys as lists), checked
        against the query schema: an unknown key or operator answers 422 naming it,
        unless the operation says ``@op(strict_query=False)``, which drops such keys."""
        query = query_dict(self.request.query)
        schema = self._find_schema(query_schema if query_schema is not None else "query_schema")
        if schema is None:
            return query
        operation = self.current_op
        # not strict: validation ignores the keys the schema does not name
        if operation is None or operation.strict_query:
            check_query(schema, query)
        return query

    @property
    def form_body(self) -> bool:
        """Whether :meth:`body_data` read a form (its values are text to convert)."""
        return self._form is not None

    async def body_data(self) -> Any:
        """The body as the operation reads it (``@op(body_content=...)``): JSON, or a form
        (``application/x-www-form-urlencoded``, ``multipart/form-data``) as a dict of its
        fields, files as :class:`~openapi.data.UploadFile`. Another media type answers 415.
        """
        op = self.current_op
        body_schema = op.body_schema if op is not None else None
        accepted = body_media_types(body_schema, op.body_content if op is not None else None)
        content_type = self.request.content_type
        if content_type in FORM_MEDIA_TYPES and content_type in accepted:
            if self._form is not None:
                self._form.close()
            self._form = FormReader(
                form_shape(body_schema),
                max_size=self.request.client_max_size,
                max_fields=self.max_form_fields,
            )
            return await self._form.read(self.request)
        if JSON_CONTENT_TYPE in accepted and content_type not in FORM_MEDIA_TYPES:
            return await self.json_data()
        raise UnsupportedMediaType(f"Unsupported Content-Type: expected {' or '.join(accepted)}")

    async def json_data(self) -> Any:
        """The JSON body: an object, or an array when the body schema is a list.
        Anything else answers 400 with a JSON message."""
        # a body declared as something else (text/plain, a form) is refused, not parsed anyway
        content_type = self.request.content_type
        if content_type not in _JSON_OR_UNSAID and not content_type.endswith("+json"):
            raise UnsupportedMediaType("Unsupported Content-Type: expected application/json")
        try:
            data = loads(await self.request.read())
        except web.HTTPException:
            raise
        except Exception:
            raise BadRequest(BAD_JSON_MESSAGE) from None
        if isinstance(data, dict):
            return data
        if self._body_is_list():
            if isinstance(data, list):
                return data
            raise BadRequest(NOT_ARRAY_MESSAGE)
        raise BadRequest(NOT_OBJECT_MESSAGE)

    # responses

    def json_response(
        self,
        data: Any,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> web.Response:
        """A JSON response; ``data`` is JSON-ready or made of dataclass instances."""
        return json_body_response(dumps_bytes(data), status, headers)

    def dump(self, schema: Any, data: Any) -> Any:
        """``data`` dumped to JSON-ready Python with ``schema`` (unchanged when None)."""
        if schema is None:
            return data
        return dump_data(self._schema(schema), data)

    def validation_error(
        self, message: str = "", errors: ErrorList | str | None = None
    ) -> UnprocessableEntity:
        """A 422 error listing ``errors`` (``{"field", "message"}`` dicts), to raise."""
        if isinstance(errors, str):
            message, errors = message or errors, None
        return UnprocessableEntity(message or INVALID_DATA_MESSAGE, errors=list(errors or ()))

    def raise_validation_error(
        self, message: str = "", errors: ErrorList | str | None = None
    ) -> NoReturn:
        """Raise :meth:`validation_error`."""
        raise self.validation_error(message, errors)

    def raise_bad_data(self, exc: BaseException | None = None, message: str = "") -> NoReturn:
        """Raise a 422 JSON answer with ``message``; ``exc`` is chained, never shown."""
        raise self.validation_error(message or INVALID_DATA_MESSAGE) from exc

    def full_url(self) -> URL:
        """The URL the client used, honouring X-Forwarded-Proto/Host/Port."""
        return full_url(self.request)

    # internals

    def _find_schema(self, schema: Any) -> Any:
        if isinstance(schema, str):
            found = getattr(self.current_op, schema, None)
            return found if found is not None else getattr(self, schema, None)
        return schema

    def _schema(self, schema: Any) -> Any:
        found = self._find_schema(schema)
        if found is None:
            raise RuntimeError(f"{type(self).__name__} has no schema {schema!r}")
        return found

    def _body_is_list(self) -> bool:
        body = getattr(self.current_op, "body_schema", None)
        return getattr(body, "__origin__", None) in (list, tuple, set, frozenset)


#: bodies read as JSON: declared so, or undeclared (aiohttp's default for no header)
_JSON_OR_UNSAID = frozenset(("application/json", "application/octet-stream"))


def query_dict(query: MultiValues) -> dict[str, str | list[str]]:
    """A query string as a dict: a repeated key maps to the list of its values."""
    result: dict[str, str | list[str]] = {}
    for key in query.keys():
        if key not in result:
            values = query.getall(key)
            result[key] = values[0] if len(values) == 1 else list(values)
    return result


def full_url(request: web.BaseRequest) -> URL:
    """The URL the client used, honouring X-Forwarded-Proto/Host/Port from a proxy."""
    headers = request.headers
    proto = headers.get("X-Forwarded-Proto")
    host = headers.get("X-Forwarded-Host")
    if not (proto and host):
        return request.url
    proto = proto.split(",")[0].strip()
    host = host.split(",")[0].strip()
    try:
        url = URL(f"{proto}://{host}")
        port = headers.get("X-Forwarded-Port")
        if port:
            url = url.with_port(int(port.split(",")[0].strip()))
    except ValueError:
        return request.url
    return url.join(request.rel_url)
