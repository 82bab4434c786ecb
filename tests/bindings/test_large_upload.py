"""A large multipart upload streams from disk on every binding: client memory stays bounded.

The client runs in a child process (:mod:`tests.bindings.upload_child`) so that traced
memory is the client's alone; the loopback server, which keeps the whole body, runs
here.  20 MB in CI, 50 MB with ``OPENAI_PROTO_SLOW=1``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from openai_proto.testing.http11 import ParsedRequest
from openai_proto.testing.script import Reply, Script, json_reply
from tests.bindings.conftest import SLOW, Serve
from tests.bindings.harness import Binding

SIZE = (50 if SLOW else 20) * 1024 * 1024
#: Traced client memory allowed while uploading (chunks are 64 KiB), far below SIZE.
PEAK_LIMIT = 8 * 1024 * 1024
LINE = b'{"prompt": "x", "completion": "y"}\n'
ROOT = Path(__file__).resolve().parents[2]


def _summary(request: ParsedRequest) -> Reply:
    body = request.body
    start = body.index(b"\r\n\r\n", body.index(b'filename="big.jsonl"')) + 4
    end = body.index(b"\r\n--", start)
    return json_reply(
        {
            "length": len(body),
            "declared": int(request.header("content-length") or -1),
            "file_size": end - start,
            "file_sha256": hashlib.sha256(body[start:end]).hexdigest(),
        }
    )


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("upload") / "big.jsonl"
    with path.open("wb") as file:
        block = LINE * (1024 * 1024 // len(LINE))
        while file.tell() + len(block) <= SIZE:
            file.write(block)
        file.write(LINE * ((SIZE - file.tell()) // len(LINE)))
    return path


def test_large_upload_has_bounded_memory(binding: Binding, serve: Serve, big_file: Path) -> None:
    script = Script().route("POST", "/v1/files", _summary)
    server = serve(script.route("POST", "/v1/warmup", lambda _: json_reply({})))
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bindings.upload_child",
            binding.name,
            server.url,
            str(big_file),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout)
    result = report["result"]
    assert result["length"] == result["declared"]
    assert result["file_size"] == big_file.stat().st_size
    assert result["file_sha256"] == hashlib.sha256(big_file.read_bytes()).hexdigest()
    assert report["peak"] < PEAK_LIMIT, child.stderr
    assert server.wait_for_no_open_connections(5)
