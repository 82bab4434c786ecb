"""Prism conformance: every documented request body, sent through our builder and the httpx
binding to Prism (a mock server that validates requests against the spec), gets no 422.

Prism is installed with ``npm ci`` into ``.cache/prism`` (the shared folder stays
untouched) and started once per test session; the tests skip only when node or npm is
missing.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import openai_proto
from openai_proto import Config, build_request
from openai_proto.generated.endpoints import Endpoint
from openai_proto_httpx import HttpxTransport
from tests.generated.plausible import (
    ROOT,
    SHARED,
    arguments_from_body,
    documented_bodies,
    endpoints_by_operation,
    require_inputs,
)

PRISM_SOURCE = SHARED / "prism"
PRISM_HOME = ROOT / ".cache" / "prism"
PRISM_CLI = Path("node_modules/@stoplight/prism-cli/dist/index.js")
START_TIMEOUT = 240.0
BODIES = documented_bodies() if (SHARED / "examples.json").exists() else {}

#: Documented examples that break the spec's own request schemas (the request we build is
#: the documented body, key for key; see test_endpoint_table), and a corrected body for each.
INVALID_EXAMPLES = {
    "CreateChatSessionMethod": (
        "expires_after is a number; the spec wants {anchor, seconds}",
        {"expires_after": {"anchor": "created_at", "seconds": 600}},
    ),
    "searchVectorStore": (
        "filters is {} (the curl example elides it); the spec requires its keys",
        {"filters": {"type": "eq", "key": "region", "value": "us"}},
    ),
    "createConversationItems": (
        "each item matches several members of the spec's oneOf (Prism wants exactly one)",
        None,
    ),
    "createEval": (
        "each input item matches several members of the spec's oneOf",
        None,
    ),
}


def documented_cases() -> list[Any]:
    return [
        pytest.param(
            operation_id,
            marks=pytest.mark.xfail(reason=INVALID_EXAMPLES[operation_id][0], strict=True),
        )
        if operation_id in INVALID_EXAMPLES
        else operation_id
        for operation_id in sorted(BODIES)
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def install_prism() -> Path:
    """The folder holding Prism's ``node_modules``: the shared one if installed, else ours."""
    if (PRISM_SOURCE / PRISM_CLI).exists():
        return PRISM_SOURCE
    if not (PRISM_HOME / PRISM_CLI).exists():
        PRISM_HOME.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(PRISM_SOURCE / name, PRISM_HOME / name)
        command = ["npm", "ci", "--no-audit", "--no-fund"]
        subprocess.run(command, cwd=PRISM_HOME, check=True, capture_output=True, timeout=600)
    return PRISM_HOME


def wait_until_listening(process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while "Prism is listening" not in log.read_text(errors="replace"):
        if process.poll() is not None:
            raise RuntimeError(f"Prism exited early:\n{log.read_text(errors='replace')[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError("Prism did not start in time")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def prism_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_inputs()
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed to run Prism (the request-validating mock)")
    home = install_prism()
    port = free_port()
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    spec = PRISM_SOURCE / "openapi.prism.json"
    command = ["node", str(PRISM_CLI), "mock", str(spec), "-h", "127.0.0.1", "-p", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=home, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def transport() -> Iterator[HttpxTransport]:
    sender = HttpxTransport()
    yield sender
    sender.close()


def method_of(endpoint: Endpoint) -> Any:
    node: Any = openai_proto.api
    for part in endpoint.resource.split("."):
        node = getattr(node, part)
    return getattr(node, endpoint.name)


def send(transport: HttpxTransport, url: str, endpoint: Endpoint, body: dict[str, Any]) -> Any:
    call = method_of(endpoint)(**arguments_from_body(endpoint, body))
    config = Config(api_key="sk-test", base_url=url, max_retries=0)
    response = transport.open(build_request(config, call))
    try:
        content = b"".join(response.iter_bytes())
    finally:
        response.close()
    return response.head.status, content


@pytest.mark.parametrize("operation_id", documented_cases())
def test_prism_accepts_documented_request(
    operation_id: str, prism_url: str, transport: HttpxTransport
) -> None:
    endpoint = endpoints_by_operation()[operation_id][0]
    status, content = send(transport, prism_url, endpoint, BODIES[operation_id])
    report = content.decode("utf-8", "replace")[:2000]
    assert status != 422, f"{endpoint.resource}.{endpoint.name}: {report}"
    assert status < 500 or status == 501, f"{endpoint.resource}.{endpoint.name}: {report}"


CORRECTED = sorted(k for k, (_, fix) in INVALID_EXAMPLES.items() if fix is not None)


@pytest.mark.parametrize("operation_id", CORRECTED)
def test_prism_accepts_corrected_examples(
    operation_id: str, prism_url: str, transport: HttpxTransport
) -> None:
    endpoint = endpoints_by_operation()[operation_id][0]
    fix = INVALID_EXAMPLES[operation_id][1]
    assert isinstance(fix, dict)
    status, content = send(transport, prism_url, endpoint, {**BODIES[operation_id], **fix})
    assert status != 422, content.decode("utf-8", "replace")[:2000]


def test_prism_rejects_a_bad_request(prism_url: str, transport: HttpxTransport) -> None:
    """The oracle can fail: a body without a required key gets 422."""
    endpoint = endpoints_by_operation()["createChatCompletion"][0]
    call = method_of(endpoint)(model="gpt-4o", messages=[], extra_body={"messages": None})
    config = Config(api_key="sk-test", base_url=prism_url, max_retries=0)
    response = transport.open(build_request(config, call))
    response.close()
    assert response.head.status == 422


def test_documented_bodies_are_the_ninety() -> None:
    require_inputs()
    assert len(BODIES) == 90
    assert json.dumps(sorted(BODIES)).count('"') == 180
