"""The kind of uploaded files (:class:`~.upload.UploadFile`): loaded as given by the
form reader, dumped as their file name, described as binary text."""

from __future__ import annotations

from typing import Any

from ._dump_emitter import DumpEmitter
from ._kind import Kind, register
from ._load_emitter import LoadEmitter
from ._nodes import Node
from ._schema_writer import SchemaRegistry
from .upload import UploadFile

FILE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "binary",
    "contentMediaType": "application/octet-stream",
}


def file_name(value: Any) -> Any:
    return value.filename if isinstance(value, UploadFile) else value


@register
class UploadKind(Kind):
    """Files of a ``multipart/form-data`` body; anything else (text) is not a file."""

    names = ("upload",)
    classes = (UploadFile,)

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        with e.b.block(f"if not _isinstance({src}, {e.b.const(UploadFile, 'UploadFile')}):"):
            e.b.line("raise _Invalid('expected a file')")
        e.b.line(f"{dst} = {src}")

    def input_classes(self, node: Node) -> tuple[type, ...]:
        return (UploadFile,)

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        return f"{e.b.const(file_name, 'file_name')}({v})"

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (UploadFile,)

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        return dict(FILE_SCHEMA)
