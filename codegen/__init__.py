"""The code generator: reads the OpenAI OpenAPI spec and writes ``openai_proto/generated/``.

Run ``python -m codegen <openapi.json>``; ``--check`` compares instead of writing.
Not shipped with the package.
"""

from __future__ import annotations
