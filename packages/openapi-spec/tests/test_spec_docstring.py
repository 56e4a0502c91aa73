import pytest
from openapi.spec import ApiError, InvalidSpecError, NotFound, Operation, docstring_yaml, op
from openapi.spec.operation import operation_of


class Documented:
    """A view.

    Text before the marker is ignored.
    ---
    summary: Tasks
    tags:
        - name: Task
          description: All about tasks
    """

    def get(self) -> None:
        """
        ---
        summary: Retrieve
        responses:
            200:
                description: the tasks
        """


def test_docstring_yaml_reads_after_marker() -> None:
    assert docstring_yaml(Documented) == {
        "summary": "Tasks",
        "tags": [{"name": "Task", "description": "All about tasks"}],
    }
    assert docstring_yaml(Documented.get) == {
        "summary": "Retrieve",
        "responses": {200: {"description": "the tasks"}},
    }


def test_docstring_yaml_without_marker_or_docstring() -> None:
    def plain() -> None:
        """Just text: no YAML here."""

    def bare() -> None:
        pass

    assert docstring_yaml(plain) == {}
    assert docstring_yaml(bare) == {}
    assert docstring_yaml("---\n") == {}


def test_docstring_yaml_errors() -> None:
    with pytest.raises(InvalidSpecError, match="invalid YAML"):
        docstring_yaml("text\n---\nsummary: [unclosed\n")
    with pytest.raises(InvalidSpecError, match="mapping"):
        docstring_yaml("---\n- a\n- b\n")


def test_op_attaches_operation_and_keeps_method() -> None:
    async def get() -> None:
        return None

    decorated = op(response_schema=list[int], response=201)(get)
    assert decorated is get
    assert operation_of(get) == Operation(response_schema=list[int], response=201)
    assert operation_of(lambda: None) is None
    with pytest.raises(AttributeError):
        operation_of(get).response = 200  # type: ignore[union-attr, misc]


def test_api_error_status_and_message() -> None:
    class Unavailable(ApiError):
        status = 503

    assert ApiError().status == 500
    assert ApiError().message == "Internal Server Error"
    assert Unavailable().message == "Service Unavailable"
    assert Unavailable("db down").message == "db down"
    error = NotFound("no task", headers={"X-Reason": "gone"})
    assert (error.status, error.message, error.errors, error.headers) == (
        404,
        "no task",
        None,
        {"X-Reason": "gone"},
    )
    assert ApiError("teapot", status=418).status == 418
