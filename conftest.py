"""Root conftest: shared pytest configuration for every package's tests."""
pytest_plugins = ["openapi.db.testing"]
