"""Pure-dataclass validation, serialization and JSON Schema, compiled once per type."""

__version__ = "0.1.0"

__all__ = ["__version__"]
