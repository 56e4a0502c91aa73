"""The version of aio-openapi-cli (read by hatch; its own module so the group can name it
without importing the package root)."""

__version__ = "0.1.0"
