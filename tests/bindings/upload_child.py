"""Upload one file with one binding and print the peak of traced memory (run in a child process).

``python -m tests.bindings.upload_child BINDING BASE_URL PATH`` prints a JSON object:
``{"result": ..., "peak": bytes}``.  The test server runs in the parent, so what is
traced here is the client alone.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import trio

from tests.bindings.harness import BINDINGS, async_client, run_sync, sync_client


async def upload(client: Any, path: Path) -> Any:
    return await client.post("/files", body={"purpose": "fine-tune"}, files={"file": path})


def main() -> None:
    name, base_url, path = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    binding = next(b for b in BINDINGS if b.name == name)
    (path.parent / "small.jsonl").write_bytes(b"{}\n" * 100)
    config = {"api_key": "sk-test", "base_url": base_url, "max_retries": 0}
    tracemalloc.start()

    async def measured(client: Any) -> Any:
        # warm up (lazy imports, mime types, the session, a connection) with a small upload
        await client.post(
            "/warmup", body={"purpose": "x"}, files={"file": path.parent / "small.jsonl"}
        )
        tracemalloc.reset_peak()
        return await upload(client, path)

    if binding.loop == "sync":
        with sync_client(None, config) as client:
            result = run_sync(measured(client))
    else:

        async def in_loop() -> Any:
            async with async_client(binding, None, config) as client:
                return await measured(client)

        result = asyncio.run(in_loop()) if binding.loop == "asyncio" else trio.run(in_loop)
    peak = tracemalloc.get_traced_memory()[1]
    print(json.dumps({"result": result, "peak": peak}))
    print(f"{name}: peak {peak / 1e6:.2f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
