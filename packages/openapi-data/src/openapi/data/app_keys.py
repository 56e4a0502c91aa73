"""Keys of an aiohttp application's state that more than one openapi package reads.

They live here, in the package every other one depends on, so that no package retypes a
string another one owns: openapi.ws reads what openapi.spec stores and may not import it.
"""

from __future__ import annotations

__all__ = ["OPENAPI_SPEC_KEY"]

#: where openapi.spec's ``setup()`` stores its ``SpecRenderer`` (the OpenAPI document)
OPENAPI_SPEC_KEY = "openapi_spec"
