"""Root conftest: shared pytest configuration for every package's tests."""
