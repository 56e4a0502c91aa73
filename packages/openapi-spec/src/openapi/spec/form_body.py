"""Form bodies: ``application/x-www-form-urlencoded`` and ``multipart/form-data`` read into
the dict a body schema validates, files spooled to :class:`~openapi.data.UploadFile`.

The size limit holds while a multipart body streams in: past it the reading stops with a
413 and every file written so far is closed (its temporary file removed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, is_dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from aiohttp import BodyPartReader, hdrs, web
from openapi.data.json_schema import SchemaRegistry
from openapi.data.upload import UploadFile, safe_filename, spooled_file

from .errors import BadRequest, PayloadTooLarge, UnprocessableEntity
from .middleware import JSON_CONTENT_TYPE

FORM_URLENCODED = "application/x-www-form-urlencoded"
MULTIPART_FORM = "multipart/form-data"
FORM_MEDIA_TYPES = frozenset((FORM_URLENCODED, MULTIPART_FORM))
MALFORMED_FORM_MESSAGE = "Malformed form body"
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FormShape:
    """The fields of a body schema, which take several values, and which are files."""

    names: frozenset[str]
    lists: frozenset[str]
    files: frozenset[str]


_shapes: dict[Any, FormShape] = {}
_NO_FIELDS = FormShape(frozenset(), frozenset(), frozenset())


def form_shape(schema: Any) -> FormShape:
    """The :class:`FormShape` of a dataclass body schema (read once per schema)."""
    if not _is_dataclass(schema):
        return _NO_FIELDS
    shape = _shapes.get(schema)
    if shape is None:
        names: set[str] = set()
        lists: set[str] = set()
        files: set[str] = set()
        for field in SchemaRegistry().fields_of(schema):
            names.add(field.name)
            if _is_file(field.schema) or _is_file(field.schema.get("items")):
                files.add(field.name)
            if "array" in _types(field.schema):
                lists.add(field.name)
        shape = _shapes[schema] = FormShape(frozenset(names), frozenset(lists), frozenset(files))
    return shape


class FormReader:
    """One form body read: the values by field, and the files to close afterwards."""

    def __init__(self, shape: FormShape, *, max_size: int, max_fields: int) -> None:
        self.shape = shape
        self.max_size = max_size
        self.max_fields = max_fields
        self.files: list[UploadFile] = []
        self._values: dict[str, list[Any]] = {}
        self._count = 0
        self._size = 0

    async def read(self, request: web.Request) -> dict[str, Any]:
        """The form as a dict: one value per field, a list for list fields."""
        length = request.content_length
        if length is not None and length > self.max_size:
            raise self.too_large()
        try:
            if request.content_type == MULTIPART_FORM:
                await self.read_multipart(request)
            else:
                await self.read_urlencoded(request)
        except BaseException:
            self.close()
            raise
        return self.values()

    def close(self) -> None:
        for upload in self.files:
            upload.close()

    async def read_urlencoded(self, request: web.Request) -> None:
        body = await request.read()  # aiohttp's client_max_size answers 413 beyond
        try:
            pairs = parse_qsl(
                body.decode(request.charset or "utf-8"),
                keep_blank_values=True,
                max_num_fields=self.max_fields,
            )
        except UnicodeDecodeError:
            raise BadRequest(f"{MALFORMED_FORM_MESSAGE}: not UTF-8 text") from None
        except ValueError:
            raise self.too_many_fields() from None
        for name, value in pairs:
            self.add(name, value)

    async def read_multipart(self, request: web.Request) -> None:
        try:
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):
                    raise BadRequest(f"{MALFORMED_FORM_MESSAGE}: nested multipart")
                await self.read_part(part)
        except (BadRequest, PayloadTooLarge, UnprocessableEntity, web.HTTPException):
            raise
        except Exception:
            # aiohttp's parser fails in several ways on a truncated or garbled body
            raise BadRequest(f"{MALFORMED_FORM_MESSAGE}: truncated or invalid multipart") from None

    async def read_part(self, part: BodyPartReader) -> None:
        name = part.name or ""
        filename = part.filename
        if filename is None:
            chunks = [chunk async for chunk in self.chunks(part)]
            charset = part.get_charset("utf-8")
            try:
                self.add(name, b"".join(chunks).decode(charset))
            except (UnicodeDecodeError, LookupError):
                raise BadRequest(f"{MALFORMED_FORM_MESSAGE}: field {name!r} is not text") from None
            return
        upload = UploadFile(
            # RFC 7578 4.2: a file name may be percent-encoded (aiohttp's client does)
            safe_filename(unquote(filename)),
            part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream"),
            file=spooled_file(),
        )
        self.files.append(upload)
        async for chunk in self.chunks(part):
            upload.file.write(chunk)
            upload.size += len(chunk)
        upload.file.seek(0)
        if filename or upload.size:  # a file input left empty sends no name and no bytes
            self.add(name, upload)

    async def chunks(self, part: BodyPartReader) -> Any:
        while chunk := await part.read_chunk(_CHUNK):
            self._size += len(chunk)
            if self._size > self.max_size:
                raise self.too_large()
            yield chunk

    def add(self, name: str, value: Any) -> None:
        self._count += 1
        if self._count > self.max_fields:
            raise self.too_many_fields()
        self._values.setdefault(name, []).append(value)

    def values(self) -> dict[str, Any]:
        shape = self.shape
        data: dict[str, Any] = {}
        errors = []
        for name, values in self._values.items():
            if len(values) == 1 and name not in shape.lists:
                data[name] = values[0]
            elif name in shape.lists or name not in shape.names:
                data[name] = values  # an unknown field: the schema drops or refuses it
            else:
                errors.append({"field": name, "message": "expected one value"})
        if errors:
            self.close()
            raise UnprocessableEntity(errors=errors)
        return data

    def too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"The body is larger than {self.max_size} bytes")

    def too_many_fields(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"The form has more than {self.max_fields} fields")


def _types(schema: Any) -> list[Any]:
    if not isinstance(schema, dict):
        return []
    kind = schema.get("type")
    found = kind if isinstance(kind, list) else [kind]
    for option in schema.get("anyOf") or ():
        found.extend(_types(option))
    return found


def _is_file(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if schema.get("format") == "binary":
        return True
    return any(_is_file(option) for option in schema.get("anyOf") or ())


def body_media_types(body_schema: Any, declared: Sequence[str] | None) -> tuple[str, ...]:
    """The media types a body is read from: ``declared``, or multipart for a schema with
    a file field and JSON for any other."""
    if declared is None and body_schema is not None:
        try:
            found = _media_types.get(body_schema)
        except TypeError:  # an unhashable hint: not remembered
            return _media_types_of(body_schema, None)
        if found is None:
            found = _media_types[body_schema] = _media_types_of(body_schema, None)
        return found
    return _media_types_of(body_schema, declared)


#: the media types of a body schema with none declared (worked out once a schema)
_media_types: dict[Any, tuple[str, ...]] = {}


def _media_types_of(body_schema: Any, declared: Sequence[str] | None) -> tuple[str, ...]:
    if declared is not None:
        return tuple(declared)
    if _is_dataclass(body_schema) and form_shape(body_schema).files:
        return (MULTIPART_FORM,)
    return (JSON_CONTENT_TYPE,)


def _is_dataclass(schema: Any) -> bool:
    return isinstance(schema, type) and is_dataclass(schema)
