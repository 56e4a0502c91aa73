from __future__ import annotations

import dataclasses

from data_models import LegacyTask, Task
from openapi.data.fields import FieldInfo, ValidationError, data_field, field_info
from openapi.data.validate import validate


def test_field_info() -> None:
    fields = {f.name: f for f in dataclasses.fields(LegacyTask)}
    assert field_info(fields["title"]) == FieldInfo(required=True, description="Title")
    assert field_info(fields["severity"]).ops == ("gt", "le")
    assert field_info(fields["secret"]).hidden
    assert field_info(fields["ref"]).format == "uuid"
    task_fields = {f.name: f for f in dataclasses.fields(Task)}
    assert field_info(task_fields["id"]).required
    assert not field_info(task_fields["due"]).required


def upper(field: dataclasses.Field[str], value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(field.name, "must be text")
    return value.upper()


@dataclasses.dataclass
class Custom:
    code: str = data_field(validator=upper, meta={"x-unit": "code"})


def test_custom_validator() -> None:
    assert validate(Custom, {"code": "ab"}).data == {"code": "AB"}
    assert validate(Custom, {"code": 1}).errors == [{"field": "code", "message": "must be text"}]
    assert field_info(dataclasses.fields(Custom)[0]).meta == {"x-unit": "code"}
