"""The compile-once registry shared by loaders and dumpers.

A function is asked for by a typed key (``ObjectLoader(Task)``, ``ValueDumper(list[int])``),
compiled on first use by the compiler registered for the key's class, and cached. Types
that refer to themselves are safe: while a key is being compiled, code that refers to it
gets the function once it exists (:meth:`CompiledFunctions.bind`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ._codegen import CodeBuilder
from ._nodes import Node

Compiled = Callable[..., Any]
K = TypeVar("K", bound="CompileKey")


class CompileKey:
    """Base of the keys: small frozen dataclasses naming what is compiled."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class ObjectLoader(CompileKey):
    """Load an instance of the dataclass ``cls`` (``validated_schema``)."""

    cls: Any


@dataclass(frozen=True, slots=True)
class FieldsLoader(CompileKey):
    """Load the fields present in the input as a dict (``validate``)."""

    cls: Any
    strict: bool
    multiple: bool


@dataclass(frozen=True, slots=True)
class TypedDictLoader(CompileKey):
    cls: Any


@dataclass(frozen=True, slots=True)
class UnionLoader(CompileKey):
    node: Node
    multiple: bool


@dataclass(frozen=True, slots=True)
class ValueLoader(CompileKey):
    """Load a value of any supported type hint."""

    hint: Any
    multiple: bool


@dataclass(frozen=True, slots=True)
class ObjectDumper(CompileKey):
    """Dump an instance of the dataclass ``cls``, a dict or any mapping.

    ``native_times``: leave datetimes, dates and times that orjson writes as ISO 8601
    text exactly as ``isoformat()`` does (see :func:`openapi.data.json.dump_bytes`)."""

    cls: Any
    native_times: bool = False


@dataclass(frozen=True, slots=True)
class TypedDictDumper(CompileKey):
    cls: Any
    native_times: bool = False


@dataclass(frozen=True, slots=True)
class ValueDumper(CompileKey):
    """Dump a value of any supported type hint."""

    hint: Any
    native_times: bool = False


class CompiledFunctions:
    """Generated functions by key, compiled once; compilers are registered per key class."""

    def __init__(self) -> None:
        self._functions: dict[CompileKey, Compiled] = {}
        self._pending: dict[CompileKey, list[tuple[dict[str, Any], str]]] = {}
        self._compilers: dict[type[CompileKey], Callable[[Any], Compiled]] = {}

    def __len__(self) -> int:
        return len(self._functions)

    def compiler(
        self, key_class: type[K]
    ) -> Callable[[Callable[[K], Compiled]], Callable[[K], Compiled]]:
        """Register the function compiling keys of ``key_class``."""

        def register(fn: Callable[[K], Compiled]) -> Callable[[K], Compiled]:
            self._compilers[key_class] = fn
            return fn

        return register

    def get(self, key: CompileKey) -> Compiled:
        """The function of ``key``, compiled on first use."""
        try:
            fn = self._functions.get(key)
        except TypeError:  # a hint with unhashable metadata: compiled every time, not cached
            return self._compiler_of(key)(key)
        if fn is None:
            fn = self._compile(key)
        return fn

    def bind(self, globals_: dict[str, Any], name: str, key: CompileKey) -> None:
        """Make ``name`` in ``globals_`` (generated code) the function of ``key``; when the
        key is being compiled (a recursive type) the name is set once it exists."""
        fn = self._functions.get(key)
        if fn is not None:
            globals_[name] = fn
        elif key in self._pending:
            self._pending[key].append((globals_, name))
        else:
            globals_[name] = self._compile(key)

    def _compiler_of(self, key: CompileKey) -> Callable[[Any], Compiled]:
        try:
            return self._compilers[type(key)]
        except KeyError:
            raise LookupError(f"no compiler is registered for {type(key).__name__}") from None

    def _compile(self, key: CompileKey) -> Compiled:
        compile_key = self._compiler_of(key)
        self._pending[key] = []
        try:
            fn = compile_key(key)
        except BaseException:
            self._pending.pop(key, None)
            raise
        self._functions[key] = fn
        for globals_, name in self._pending.pop(key):
            globals_[name] = fn
        return fn


compiled = CompiledFunctions()


class Emitter:
    """What the loader and dumper emitters share: the code being built, references to
    other compiled functions, and the dataclasses being inlined."""

    def __init__(self, globals_: dict[str, Any]) -> None:
        self.b = CodeBuilder(globals_)
        self.inlining: list[Any] = []

    def ref(self, key: CompileKey, hint: str) -> str:
        """A global name of the generated code bound to the function of ``key``."""
        name = self.b.name(hint)
        compiled.bind(self.b.globals, name, key)
        return name

    def can_inline(self, cls: Any) -> bool:
        """Inline a nested dataclass up to three levels, never into itself."""
        return cls not in self.inlining and len(self.inlining) < 3
