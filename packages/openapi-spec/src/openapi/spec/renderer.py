"""``SpecRenderer``: the OpenAPI 3.1 document of an application, built once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from aiohttp import web
from openapi.data.json import dumps
from openapi.data.json_schema import FieldSchema, InvalidExample, SchemaRegistry
from openapi.data.validate import validate

from .declarations import path_variables
from .docstring import docstring_spec
from .error_schemas import Error, ValidationErrorBody
from .errors import InvalidSpecError
from .filter_operators import FILTER_OPERATORS
from .form_body import body_media_types
from .middleware import JSON_CONTENT_TYPE
from .operation import Operation, operation_of
from .path import ApiPath
from .schemes import SecurityScheme
from .security import Compiled, Security, declared_security
from .streaming import SSE_MEDIA_TYPE

OPENAPI_VERSION = "3.1.0"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# operation keys a docstring may set verbatim (the others are built here)
OPERATION_KEYS = frozenset(
    ("summary", "description", "externalDocs", "deprecated", "security", "servers", "callbacks")
)
PATH_KEYS = frozenset(("summary", "description", "servers"))
#: a query schema's class attribute: OpenAPI headers of the success response (pagination)
RESPONSE_HEADERS_ATTRIBUTE = "__openapi_response_headers__"
_CHALLENGE_HEADER = {
    "description": "How to authenticate (RFC 9110 challenges)",
    "schema": {"type": "string"},
}

Json = dict[str, Any]


class SpecRenderer:
    """Builds the OpenAPI 3.1 document of ``app`` on first use and caches it.

    Every route served by an :class:`ApiPath` subclass is documented, except private ones
    and, with ``allowed_tags``, operations carrying none of them.
    """

    def __init__(
        self,
        app: web.Application,
        *,
        title: str,
        version: str,
        description: str = "",
        info: Mapping[str, Any] | None = None,
        security: Security | Mapping[str, SecurityScheme | Mapping[str, Any]] | None = None,
        servers: Sequence[str | Mapping[str, Any]] | None = None,
        base_path: str = "",
        validate_docs: bool = False,
        allowed_tags: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.info: Json = {"title": title, "version": version, **(info or {})}
        if description:
            self.info["description"] = description
        self.security = security if isinstance(security, Security) else Security(security)
        self.base_path = base_path.rstrip("/")
        self.servers = [_server_at(server, self.base_path) for server in servers or ()]
        self.validate_docs = validate_docs
        self.allowed_tags = frozenset(allowed_tags)
        self._document: Json | None = None
        self._body: bytes | None = None

    def document(self) -> Json:
        """The OpenAPI document (built on the first call, then cached)."""
        if self._document is None:
            self._document = _DocumentBuilder(self).build()
        return self._document

    def json_bytes(self) -> bytes:
        """The document as JSON bytes (cached)."""
        if self._body is None:
            self._body = dumps(self.document()).encode()
        return self._body

    async def on_startup(self, app: web.Application) -> None:
        """Build the document when the application starts: a declaration mistake stops it."""
        self.document()

    async def handle(self, request: web.Request) -> web.Response:
        """GET handler serving the document as JSON."""
        return web.Response(body=self.json_bytes(), content_type=JSON_CONTENT_TYPE)


class _DocumentBuilder:
    """One build of the document: holds the schema registry, tags and operation ids."""

    def __init__(self, renderer: SpecRenderer) -> None:
        self.renderer = renderer
        self.registry = SchemaRegistry()
        # registered first, so these names are never taken by an application dataclass
        self.error_ref = self.registry.schema_of(Error)
        self.validation_error_ref = self.registry.schema_of(ValidationErrorBody)
        self.tags: dict[str, Json] = {}
        # tags of the documented operations: only these are listed
        self.used_tags: set[str] = set()
        self.operation_ids: set[str] = set()

    def build(self) -> Json:
        renderer = self.renderer
        for path, view in self.views():
            for mistake in view.declaration_errors(renderer.app, path):
                raise InvalidSpecError(mistake)
        paths: Json = {}
        for path, view in self.views():
            try:
                path_item = self.path_item(path, view)
            except (InvalidSpecError, InvalidExample) as exc:
                raise InvalidSpecError(f"{path}: {exc}") from None
            if path_item is not None:
                paths[path] = path_item
        doc: Json = {"openapi": OPENAPI_VERSION, "info": dict(renderer.info)}
        servers = renderer.servers or ([{"url": renderer.base_path}] if renderer.base_path else [])
        if servers:
            doc["servers"] = servers
        tags = [self.tags[name] for name in sorted(self.tags) if name in self.used_tags]
        if tags:
            doc["tags"] = tags
        doc["paths"] = paths
        components: Json = {"schemas": dict(sorted(self.registry.definitions.items()))}
        security = renderer.security
        if security:
            components["securitySchemes"] = dict(sorted(security.documents.items()))
            doc["security"] = [alternative.document() for alternative in security.default]
        doc["components"] = components
        if renderer.validate_docs:
            self.check_descriptions()
        return doc

    def check_descriptions(self) -> None:
        for name, tag in self.tags.items():
            if name in self.used_tags and not tag.get("description"):
                raise InvalidSpecError(f"tag {name!r} has no description")
        for name, schema in self.registry.definitions.items():
            for field, field_schema in (schema.get("properties") or {}).items():
                if not field_schema.get("description"):
                    raise InvalidSpecError(f"field {name}.{field} has no description")

    # paths

    def views(self) -> Iterator[tuple[str, type[ApiPath]]]:
        seen: set[tuple[str, type[ApiPath]]] = set()
        base = self.renderer.base_path
        for route in self.renderer.app.router.routes():
            view = route.handler
            if not (isinstance(view, type) and issubclass(view, ApiPath)):
                continue
            if route.resource is None:
                continue
            path = route.resource.canonical
            if base and (path == base or path.startswith(base + "/")):
                path = path[len(base) :] or "/"
            if (path, view) not in seen:
                seen.add((path, view))
                yield path, view

    def path_item(self, path: str, view: type[ApiPath]) -> Json | None:
        doc = docstring_spec(view)
        if view.private or doc.get("private"):
            return None
        item: Json = {k: v for k, v in doc.items() if k in PATH_KEYS or k.startswith("x-")}
        known_tags = {name: dict(tag) for name, tag in self.tags.items()}
        view_tags = self.add_tags(doc.get("tags"))
        # with allowed_tags, an untagged view is left out of the document, not refused
        if self.renderer.validate_docs and not view_tags and not self.renderer.allowed_tags:
            raise InvalidSpecError(f"{view.__name__} docstring has no tags")
        parameters = self.path_parameters(path, view)
        if parameters:
            item["parameters"] = parameters
        documented = 0
        for method in METHODS:
            handler = getattr(view, method, None)
            if handler is None:
                continue
            operation = self.operation(view, method, handler, view_tags, bool(parameters))
            if operation is not None:
                item[method] = operation
                documented += 1
        if not documented:
            self.tags = known_tags  # tags of a path with no public operation stay out
            return None
        return item

    def path_parameters(self, path: str, view: type[ApiPath]) -> list[Json]:
        variables = path_variables(path)
        described = {}
        if view.path_schema is not None:
            described = {f.name: f for f in self.fields_of(view.path_schema) if not f.hidden}
        parameters = []
        for name in variables:
            parameter: Json = {"name": name, "in": "path", "required": True}
            field = described.get(name)
            if field is not None:
                if field.description:
                    parameter["description"] = field.description
                parameter["schema"] = parameter_schema(field.schema)
            else:
                parameter["schema"] = {"type": "string"}
            parameters.append(parameter)
        return parameters

    # operations

    def operation(
        self,
        view: type[ApiPath],
        method: str,
        handler: Any,
        view_tags: list[str],
        has_path_parameters: bool,
    ) -> Json | None:
        doc = docstring_spec(handler)
        if doc.get("private"):
            return None
        op = operation_of(handler) or Operation()
        tags = list(view_tags)
        for tag in self.add_tags(doc.get("tags")):
            if tag not in tags:
                tags.append(tag)
        allowed = self.renderer.allowed_tags
        if allowed and allowed.isdisjoint(tags):
            return None
        if self.renderer.validate_docs:
            check_operation_docs(view, method, op, doc)
        self.used_tags.update(tags)
        result: Json = {}
        if tags:
            result["tags"] = tags
        result.update((k, v) for k, v in doc.items() if k in OPERATION_KEYS or k.startswith("x-"))
        result["operationId"] = self.operation_id(
            str(doc.get("operationId") or f"{view.__name__}.{method}")
        )
        parameters = list(self.query_parameters(op.query_schema)) + list(
            doc.get("parameters") or ()
        )
        if parameters:
            result["parameters"] = parameters
        if op.query_schema is not None:
            # the listed parameters are all an operation accepts unless it opted out
            result["x-strict-query"] = op.strict_query
        if op.body_schema is not None:
            declared = op.body_content
            if declared is None and doc.get("body_content"):
                declared = (str(doc["body_content"]),)
            schema = self.registry.schema_of(op.body_schema)
            media_types = body_media_types(op.body_schema, declared)
            media: Json = {"schema": schema}
            if op.body_examples:
                media["examples"] = checked_examples(op.body_schema, op.body_examples, "body")
            result["requestBody"] = {
                "required": True,
                "content": {media_type: dict(media) for media_type in media_types},
            }
        elif isinstance(doc.get("requestBody"), dict):
            result["requestBody"] = doc["requestBody"]
        # what the view knows it can answer (a 409 on unique columns), then the docstring's
        documented = {
            **view.documented_responses(self.renderer.app, method, op),
            **(doc.get("responses") or {}),
        }
        result["responses"] = self.responses(
            op, documented, has_path_parameters and view.path_schema is not None
        )
        security = self.renderer.security
        requirement = security.operation_requirement(handler, f"{view.__name__}.{method}")
        if declared_security(handler) is not None:
            result["security"] = [alternative.document() for alternative in requirement]
        result["responses"] = self.security_responses(op, result["responses"], requirement)
        return result

    def security_responses(self, op: Operation, responses: Json, requirement: Compiled) -> Json:
        """Add the 401 of an operation under a requirement, and the 403 of one with scopes."""
        if not requirement:
            return responses
        added = dict(responses)
        enforced = self.renderer.security.schemes
        if "401" not in added:
            added["401"] = self.response(op, "401", {})
            if any(name in enforced for a in requirement for name, _ in a.schemes):
                added["401"]["headers"] = {"WWW-Authenticate": _CHALLENGE_HEADER}
        # only an enforced scheme answers 403 for a missing scope
        scoped = any(scopes and name in enforced for a in requirement for name, scopes in a.schemes)
        if scoped and "403" not in added:
            added["403"] = self.response(op, "403", {"description": "Missing a required scope"})
        return {k: added[k] for k in sorted(added, key=_status_order)}

    def operation_id(self, wanted: str) -> str:
        candidate, n = wanted, 1
        while candidate in self.operation_ids:
            n += 1
            candidate = f"{wanted}_{n}"
        self.operation_ids.add(candidate)
        return candidate

    def query_parameters(self, schema: Any) -> Iterator[Json]:
        if schema is None:
            return
        for field in self.fields_of(schema):
            if field.hidden:
                continue
            parameter: Json = {"name": field.name, "in": "query"}
            if field.description:
                parameter["description"] = field.description
            elif self.renderer.validate_docs:
                raise InvalidSpecError(f"query parameter {field.name!r} has no description")
            if field.required:
                parameter["required"] = True
            parameter["schema"] = schema = parameter_schema(field.schema)
            yield parameter
            for filter_op in field.ops:
                variant: Json = {
                    "name": f"{field.name}:{filter_op}",
                    "in": "query",
                    "description": _filter_description(field, filter_op),
                    "schema": schema,
                }
                yield variant

    def responses(self, op: Operation, documented: Mapping[Any, Any], path_checked: bool) -> Json:
        entries: dict[str, Any] = {str(status): spec for status, spec in documented.items()}
        # the default 200 is only added when the docstring documents no other success
        if op.response != 200 or not any(status.startswith("2") for status in entries):
            entries.setdefault(str(op.response), {})
        if op.body_schema is not None:
            entries.setdefault("400", {"description": "Malformed request body"})
            entries.setdefault("413", {"description": "The body is too large"})
            entries.setdefault("415", {"description": _unsupported_description(op)})
        if op.query_schema is not None and op.strict_query:
            entries.setdefault("422", {"description": STRICT_QUERY_422})
        elif op.body_schema is not None or op.query_schema is not None:
            entries.setdefault("422", {"description": "Invalid data"})
        if path_checked:
            entries.setdefault("404", {"description": "Not found"})
        return {
            status: self.response(op, status, entries[status])
            for status in sorted(entries, key=_status_order)
        }

    def response(self, op: Operation, status: str, spec: Any) -> Json:
        entry: Json = dict(spec) if isinstance(spec, Mapping) else {}
        if isinstance(spec, str):
            entry["description"] = spec
        code = int(status) if status.isdigit() else None
        result: Json = {"description": str(entry.pop("description", "") or _phrase(code))}
        content = entry.pop("content", None)
        schema: Json | None = None
        if code is not None and code >= 400:
            schema = self.validation_error_ref if code == 422 else self.error_ref
        elif op.response_schema is not None and code is not None and _has_body(code):
            schema = self.registry.schema_of(op.response_schema)
        if isinstance(content, Mapping):
            result["content"] = dict(content)
        elif schema is not None:
            media: Json = {"schema": schema}
            if code == op.response and op.response_examples:
                media["examples"] = checked_examples(
                    op.response_schema, op.response_examples, "response"
                )
            media_type = JSON_CONTENT_TYPE
            if code == op.response and op.response_media_type:
                media_type = op.response_media_type
                if media_type == SSE_MEDIA_TYPE:
                    # the stream is text; the schema of each event's data as an extension
                    media["x-data-schema"] = media.pop("schema")
                    media["schema"] = {"type": "string"}
            result["content"] = {str(content or media_type): media}
        elif code == op.response and op.response_media_type:
            result["content"] = {op.response_media_type: {"schema": {"type": "string"}}}
        headers = dict(entry.pop("headers", None) or {})
        if code == op.response:
            headers = {**self.response_headers(op), **headers}
        if headers:
            result["headers"] = headers
        result.update((k, v) for k, v in entry.items() if k == "links" or k.startswith("x-"))
        return result

    def response_headers(self, op: Operation) -> Json:
        headers: Json = {}
        declared = getattr(op.query_schema, RESPONSE_HEADERS_ATTRIBUTE, None)
        for source in (declared, op.response_headers):
            if source:
                headers.update((name, dict(header)) for name, header in source.items())
        return headers

    # helpers

    def fields_of(self, schema: Any) -> list[FieldSchema]:
        try:
            return list(self.registry.fields_of(schema))
        except (TypeError, ValueError) as exc:
            raise InvalidSpecError(f"cannot document {schema!r}: {exc}") from None

    def add_tags(self, tags: Any) -> list[str]:
        names: list[str] = []
        for tag in tags or ():
            if isinstance(tag, str):
                tag = {"name": tag}
            if not isinstance(tag, Mapping) or not tag.get("name"):
                raise InvalidSpecError(f"invalid tag {tag!r}")
            name = str(tag["name"])
            self.tags.setdefault(name, {"name": name}).update(tag)
            if name not in names:
                names.append(name)
        return names


STRICT_QUERY_422 = (
    "Invalid data, or an unknown query parameter or operator (only the listed "
    "parameters are accepted)"
)


def check_operation_docs(
    view: type[ApiPath], method: str, op: Operation, doc: Mapping[str, Any]
) -> None:
    """``validate_docs``: an operation needs a summary, a description and its responses
    documented (at least its success status, each with a description)."""
    name = f"{view.__name__}.{method}"
    for key in ("summary", "description"):
        if not doc.get(key):
            raise InvalidSpecError(f"{name} has no {key} in its docstring")
    responses = doc.get("responses")
    if not isinstance(responses, Mapping) or not responses:
        raise InvalidSpecError(f"{name} documents no responses in its docstring")
    if str(op.response) not in {str(status) for status in responses}:
        raise InvalidSpecError(f"{name} does not document its {op.response} response")
    for status, response in responses.items():
        if isinstance(response, Mapping):
            response = response.get("description")
        if not response or not isinstance(response, str):
            raise InvalidSpecError(f"{name} response {status} has no description")


def parameter_schema(schema: Json) -> Json:
    """A field's schema for a path or query parameter: a URL cannot carry null, and the
    description belongs to the parameter."""
    result = {k: v for k, v in schema.items() if k != "description"}
    if result.get("default", 0) is None:
        del result["default"]
    kind = result.get("type")
    if isinstance(kind, list) and "null" in kind:
        kinds = [k for k in kind if k != "null"]
        result["type"] = kinds[0] if len(kinds) == 1 else kinds
    for key in ("anyOf", "oneOf"):
        options = result.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            options = [option for option in options if option != {"type": "null"}]
            if len(options) == 1 and not (set(result) - {key, "default"}) & set(options[0]):
                del result[key]
                result.update(options[0])
            else:
                result[key] = options
    if isinstance(result.get("enum"), list) and None in result["enum"]:
        result["enum"] = [value for value in result["enum"] if value is not None]
    return result


def _server_at(server: str | Mapping[str, Any], base_path: str) -> Json:
    """A server object whose URL ends with ``base_path``: paths are relative to it."""
    entry: Json = {"url": server} if isinstance(server, str) else dict(server)
    url = str(entry.get("url", "")).rstrip("/")
    if base_path and not url.endswith(base_path):
        entry["url"] = url + base_path
    return entry


def _filter_description(field: FieldSchema, filter_op: str) -> str:
    meaning = FILTER_OPERATORS.get(filter_op, filter_op)
    subject = field.description.rstrip(".") if field.description else field.name
    return f"{subject} ({meaning})"


def checked_examples(schema: Any, examples: Mapping[str, Any], what: str) -> Json:
    """OpenAPI Example Objects of ``examples``, each validated against ``schema``."""
    found: Json = {}
    for name, value in examples.items():
        errors = validate(schema, value).errors
        if errors:
            details = "; ".join(f"{e['field'] or '<root>'}: {e['message']}" for e in errors)
            raise InvalidSpecError(f"the {what} example {name!r} is invalid: {details}")
        found[str(name)] = {"value": value}
    return found


def _unsupported_description(op: Operation) -> str:
    media_types = body_media_types(op.body_schema, op.body_content)
    if media_types == (JSON_CONTENT_TYPE,):
        return "The body is not JSON"
    return f"The body is not {' or '.join(media_types)}"


def _has_body(code: int) -> bool:
    return 200 <= code < 300 and code not in (204, 205)


def _phrase(code: int | None) -> str:
    if code is None:
        return "Response"
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Response"


def _status_order(status: str) -> tuple[int, str]:
    return (int(status), "") if status.isdigit() else (1000, status)
