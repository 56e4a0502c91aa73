"""Form and multipart bodies on real requests: validated like JSON (same 422 shape, the
form's field names), files spooled to UploadFile and closed after the request, and the
requestBody documented with each media type."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from openapi.data import UploadFile, fields
from openapi.spec import FORM_URLENCODED, MULTIPART_FORM, ApiPath, op, setup

ClientFactory = Any
MAX_BODY = 256 * 1024
SEEN: list[UploadFile] = []


@dataclass
class Note:
    """A note, as a form or JSON."""

    title: str = fields.str_field(required=True, max_length=20, description="Title")
    stars: int = fields.integer_field(min_value=0, max_value=5, description="Stars")
    tags: list[str] = fields.data_field(default_factory=list, description="Tags")


@dataclass
class Attachment:
    """A file with a caption."""

    file: UploadFile = fields.data_field(required=True, description="The file")
    caption: str = fields.str_field(description="Caption")
    extra: list[UploadFile] = fields.data_field(default_factory=list, description="More files")


class NotesPath(ApiPath):
    @op(body_schema=Note, body_content=("application/json", FORM_URLENCODED, MULTIPART_FORM))
    async def post(self) -> web.Response:
        return self.json_response(self.insert_data(await self.body_data()))


class AttachmentsPath(ApiPath):
    @op(body_schema=Attachment, response=201)
    async def post(self) -> web.Response:
        data = self.insert_data(await self.body_data())
        upload: UploadFile = data["file"]
        SEEN.append(upload)
        digest = hashlib.sha256()
        async for chunk in upload.chunks(1000):
            digest.update(chunk)
        return self.json_response(
            {
                "filename": upload.filename,
                "content_type": upload.content_type,
                "size": upload.size,
                "sha256": digest.hexdigest(),
                "caption": data.get("caption"),
                "extra": [f.filename for f in data.get("extra", [])],
            },
            status=201,
        )


def form_app() -> web.Application:
    app = web.Application()
    app.router.add_view("/notes", NotesPath)
    app.router.add_view("/attachments", AttachmentsPath)
    setup(app, title="forms", version="1", max_body_size=MAX_BODY)
    return app


@pytest.fixture
async def client(aiohttp_client: ClientFactory) -> Any:
    return await aiohttp_client(form_app())


async def test_a_urlencoded_form_is_validated_like_json(client: Any) -> None:
    response = await client.post("/notes", data={"title": "hello", "stars": "4"})
    assert response.status == 200
    assert await response.json() == {"title": "hello", "stars": 4}
    response = await client.post("/notes", json={"title": "json", "stars": 2})
    assert await response.json() == {"title": "json", "stars": 2}
    response = await client.post("/notes", data="tags=a&tags=b&title=t")
    # aiohttp sends a str body as text/plain: refused, as any undeclared media type
    assert response.status == 415
    response = await client.post(
        "/notes", data="tags=a&tags=b&title=t", headers={"Content-Type": FORM_URLENCODED}
    )
    assert await response.json() == {"title": "t", "tags": ["a", "b"]}


async def test_form_errors_name_the_form_fields(client: Any) -> None:
    response = await client.post("/notes", data={"stars": "9", "title": "x" * 30})
    assert response.status == 422
    body = await response.json()
    assert {e["field"] for e in body["errors"]} == {"stars", "title"}
    response = await client.post("/notes", data=[("title", "a"), ("title", "b")])
    assert response.status == 422
    assert (await response.json())["errors"] == [
        {"field": "title", "message": "expected one value"}
    ]
    form = aiohttp.FormData(default_to_multipart=True)
    form.add_field("title", "multi")
    form.add_field("stars", "seven")
    response = await client.post("/notes", data=form)
    body = await response.json()
    assert response.status == 422, body
    assert [e["field"] for e in body["errors"]] == ["stars"]


async def test_a_multipart_file_is_spooled_and_closed_after_the_request(client: Any) -> None:
    SEEN.clear()
    content = bytes(range(256)) * 20
    form = aiohttp.FormData()
    form.add_field("file", content, filename="../../etc/passwd", content_type="image/png")
    form.add_field("caption", "a picture")
    form.add_field("extra", b"one", filename="C:\\x\\one.txt")
    form.add_field("extra", b"two", filename="two.txt")
    response = await client.post("/attachments", data=form)
    assert response.status == 201, await response.text()
    assert await response.json() == {
        "filename": "passwd",
        "content_type": "image/png",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "caption": "a picture",
        "extra": ["one.txt", "two.txt"],
    }
    assert SEEN and SEEN[0].closed


def multipart(boundary: str, *parts: tuple[str, bytes]) -> bytes:
    """A multipart body written by hand: (part headers, content) pairs."""
    body = b""
    for headers, content in parts:
        body += f"--{boundary}\r\n{headers}\r\n\r\n".encode() + content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


async def test_filenames_reach_the_view_without_separators_or_nul(client: Any) -> None:
    headers = {"Content-Type": f"{MULTIPART_FORM}; boundary=xyz"}
    for sent, kept in [("..\\\\a/b%00c.txt", "bc.txt"), ("/", ""), ("..", "")]:
        disposition = f'Content-Disposition: form-data; name="file"; filename="{sent}"'
        body = multipart("xyz", (disposition, b"data"))
        response = await client.post("/attachments", data=body, headers=headers)
        assert response.status == 201, await response.text()
        assert (await response.json())["filename"] == kept
    # a raw NUL in the part's headers: the multipart is refused as malformed
    disposition = 'Content-Disposition: form-data; name="file"; filename="a\x00b"'
    response = await client.post(
        "/attachments", data=multipart("xyz", (disposition, b"data")), headers=headers
    )
    assert response.status == 400
    assert (await response.json())["message"].startswith("Malformed form body")


async def test_a_text_field_where_a_file_is_declared_is_a_422(client: Any) -> None:
    form = aiohttp.FormData(default_to_multipart=True)
    form.add_field("file", "just text")
    form.add_field("caption", "x")
    response = await client.post("/attachments", data=form)
    assert response.status == 422
    assert (await response.json())["errors"] == [{"field": "file", "message": "expected a file"}]
    response = await client.post("/attachments", json={"file": "x"})
    assert response.status == 415


async def test_a_file_over_the_limit_is_413_while_streaming(client: Any) -> None:
    SEEN.clear()

    async def endless() -> Any:
        for _ in range(1000):
            yield b"x" * 4096

    form = aiohttp.FormData()
    form.add_field("file", endless(), filename="big.bin")
    response = await client.post("/attachments", data=form)
    assert response.status == 413
    assert "larger than" in (await response.json())["message"]
    assert not SEEN  # the view never ran


async def test_the_document_lists_each_media_type(client: Any) -> None:
    doc = await (await client.get("/spec")).json()
    notes = doc["paths"]["/notes"]["post"]["requestBody"]["content"]
    assert list(notes) == ["application/json", FORM_URLENCODED, MULTIPART_FORM]
    attachment = doc["paths"]["/attachments"]["post"]["requestBody"]["content"]
    assert list(attachment) == [MULTIPART_FORM]
    props = doc["components"]["schemas"]["Attachment"]["properties"]
    assert props["file"]["format"] == "binary"
    assert props["file"]["contentMediaType"] == "application/octet-stream"
    assert props["extra"]["items"]["format"] == "binary"
    assert "413" in doc["paths"]["/attachments"]["post"]["responses"]


async def test_a_form_with_10000_fields_is_413(client: Any) -> None:
    response = await client.post("/notes", data=[("tags", "t")] * 10_000)
    assert response.status == 413
    assert (await response.json())["message"] == "The form has more than 1000 fields"
    response = await client.post("/notes", data=[("tags", "t")] * 1000 + [("title", "x")])
    assert response.status == 413
    response = await client.post("/notes", data=[("tags", "t")] * 999 + [("title", "x")])
    assert response.status == 200
    assert len((await response.json())["tags"]) == 999
