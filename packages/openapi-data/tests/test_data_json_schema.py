from __future__ import annotations

from dataclasses import dataclass, make_dataclass
from typing import Annotated, Any

import jsonschema
import pytest
from data_models import LegacyTask, Node, Pets, Strict, Task
from openapi.data.json_schema import SchemaRegistry, json_schema
from typing_extensions import Doc


def check(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("tp", [Task, LegacyTask, Node, Pets, Strict, list[Task], dict[str, int]])
def test_schemas_pass_the_meta_schema(tp: Any) -> None:
    check(json_schema(tp))


def test_task_schema() -> None:
    schema = json_schema(Task)
    assert schema["$ref"] == "#/$defs/Task"
    task = schema["$defs"]["Task"]
    assert task["required"] == [
        "id",
        "title",
        "done",
        "severity",
        "tags",
        "created",
        "owner",
    ]
    assert task["properties"]["title"] == {"type": "string", "maxLength": 64}
    assert task["properties"]["severity"] == {"type": "integer", "minimum": 0, "maximum": 5}
    assert task["properties"]["due"] == {
        "type": ["string", "null"],
        "format": "date",
        "default": None,
    }
    assert "description" not in task
    assert schema["$defs"]["Owner"]["description"] == "The person owning a task."


def test_hidden_fields_and_registry() -> None:
    registry = SchemaRegistry()
    assert registry.schema_of(LegacyTask) == {"$ref": "#/components/schemas/LegacyTask"}
    assert "secret" not in registry.definitions["LegacyTask"]["properties"]
    fields = {f.name: f for f in registry.fields_of(LegacyTask)}
    assert fields["secret"].hidden
    assert fields["severity"].ops == ("gt", "le")
    assert fields["title"].required and fields["title"].description == "Title"


def test_unique_names() -> None:
    other = make_dataclass("Task", [("x", int)])
    registry = SchemaRegistry()
    registry.schema_of(Task)
    assert registry.schema_of(other) == {"$ref": "#/components/schemas/Task2"}
    assert set(registry.definitions) == {"Task", "Owner", "Task2"}


def test_discriminated_union_schema() -> None:
    schema = json_schema(Pets)
    pets = schema["$defs"]["Pets"]["properties"]["pets"]["items"]
    assert pets == {
        "anyOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"cat": "#/$defs/Cat", "dog": "#/$defs/Dog"},
        },
    }
    assert schema["$defs"]["Cat"]["properties"]["kind"] == {"const": "cat"}
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"pets": [{"kind": "cat"}, {"kind": "dog", "good": False}]})
    assert not validator.is_valid({"pets": [{"kind": "cow"}]})


def test_no_null_default_for_fields_refusing_null() -> None:
    props = json_schema(LegacyTask)["$defs"]["LegacyTask"]["properties"]
    assert props["title"] == {"type": "string", "maxLength": 64, "description": "Title"}
    assert props["severity"]["default"] is None


def _all_models() -> list[Any]:
    import dataclasses
    import inspect

    import data_models
    import data_typing_models

    found = []
    for module in (data_models, data_typing_models):
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == module.__name__ and (
                dataclasses.is_dataclass(obj) or hasattr(obj, "__required_keys__")
            ):
                found.append(obj)
    return found


@pytest.mark.parametrize("model", _all_models(), ids=lambda m: m.__name__)
def test_every_model_schema_passes_the_meta_schema(model: Any) -> None:
    schema = json_schema(model)
    check(schema)
    registry = SchemaRegistry()
    registry.schema_of(model)
    for definition in registry.definitions.values():
        check(definition)


@dataclass
class Described:
    name: Annotated[str, Doc("The name")]
    size: Annotated[int, Doc("The size")] = 0


def test_a_doc_marker_describes_a_field_like_description() -> None:
    props = json_schema(Described)["$defs"]["Described"]["properties"]
    assert props["name"] == {"type": "string", "description": "The name"}
    assert props["size"]["description"] == "The size"
    fields = SchemaRegistry().fields_of(Described)
    assert [f.description for f in fields] == ["The name", "The size"]
