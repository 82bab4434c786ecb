"""The core must not import any IO library."""

from __future__ import annotations

import json
import subprocess
import sys

IO_LIBRARIES = {"httpx", "aiohttp", "trio", "anyio", "asyncio", "h11", "sniffio"}

PROBE = """
import json, sys
import openai_proto
import openai_proto.build, openai_proto.decode, openai_proto.flows, openai_proto.retry
import openai_proto.client, openai_proto.responses, openai_proto.testing.memory
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_core_imports_no_io_library() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(json.loads(out))
    assert loaded.isdisjoint(IO_LIBRARIES), loaded & IO_LIBRARIES
