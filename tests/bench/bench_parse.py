"""``chat.completions.parse()`` end to end: openai_proto vs the official ``openai`` package.

A typical call — 20 messages, 3 strict function tools, a nested response type (a solution
with steps, each with citations) — parsed from the same response bytes by each side, in one
run, each over a transport that answers from memory:

- ``openai_proto``: ``Client`` + :class:`~openai_proto.testing.MemoryTransport`, attrs
  classes for the response type and :func:`~openai_proto.structured.function_tool` tools;
- ``openai`` (official): ``OpenAI`` over its httpx fork's ``MockTransport``, the equivalent
  pydantic models and ``pydantic_function_tool``.

Each call builds the request (the schema of the response type and the tools included),
sends it, decodes the answer and parses the content into the type. The floor is
``json.dumps`` of the request body; the issue's target is at most 10x the floor (the
official SDK takes about 178x). Schemas are built once per type, on the first call.

Run: ``python -m tests.bench parse``.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

import openai_proto
from openai_proto import Client, Config, build_request
from openai_proto.structured import function_tool
from openai_proto.testing.memory import MemoryTransport, Reply
from tests.bench.bench_build import typical_body
from tests.bench.timing import best_of, report

MODEL = "gpt-4o-2024-08-06"
TOOL_NAMES = ("lookup_order", "lookup_customer", "lookup_product")


@attrs.define
class Citation:
    source: str
    page: int


@attrs.define
class Step:
    explanation: str
    output: str
    citations: list[Citation]


@attrs.define
class Solution:
    title: str
    steps: list[Step]
    final_answer: str
    confidence: float


@attrs.define
class Lookup:
    """Look something up in the catalogue by name and date."""

    name: str
    date: str
    limit: int


def pydantic_types() -> tuple[Any, Any]:
    """The official side's equivalents of :class:`Solution` and :class:`Lookup`."""
    from pydantic import BaseModel

    class CitationModel(BaseModel):
        source: str
        page: int

    class StepModel(BaseModel):
        explanation: str
        output: str
        citations: list[CitationModel]

    class SolutionModel(BaseModel):
        title: str
        steps: list[StepModel]
        final_answer: str
        confidence: float

    class LookupModel(BaseModel):
        """Look something up in the catalogue by name and date."""

        name: str
        date: str
        limit: int

    return SolutionModel, LookupModel


def answer() -> dict[str, Any]:
    steps = [
        {
            "explanation": f"Step {n}: subtract the known terms and simplify both sides again.",
            "output": f"{8 * n}x + {31 - n} = {2 + n}",
            "citations": [
                {"source": "Algebra, a first course", "page": 10 + n},
                {"source": "Lecture notes, week 3", "page": 2 * n + 1},
            ],
        }
        for n in range(1, 7)
    ]
    return {
        "title": "Solving a linear equation",
        "steps": steps,
        "final_answer": "x = -29/8",
        "confidence": 0.97,
    }


def response_bytes() -> bytes:
    """The answer as the API sends it (indented JSON, a realistic envelope)."""
    content = json.dumps(answer(), separators=(",", ":"))
    completion = {
        "id": "chatcmpl-9tABLlmqdEOYnmmWATUI3dNKlfXa3",
        "object": "chat.completion",
        "created": 1723041138,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "refusal": None,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 1917,
            "completion_tokens": 412,
            "total_tokens": 2329,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "default",
        "system_fingerprint": "fp_845eaabc1f",
    }
    return json.dumps(completion, indent=2).encode()


HEADERS = (("content-type", "application/json"), ("x-request-id", "req_bench"))


def messages() -> list[dict[str, Any]]:
    return list(typical_body()["messages"])


def our_arguments() -> dict[str, Any]:
    """The keyword arguments of the typical call, on our side."""
    return {
        "model": MODEL,
        "messages": messages(),
        "response_format": Solution,
        "tools": [function_tool(Lookup, name=name) for name in TOOL_NAMES],
        "temperature": 0.2,
        "max_completion_tokens": 1024,
    }


def request_body() -> dict[str, Any]:
    """The JSON body our client sends for the typical call."""
    call = openai_proto.api.chat.completions.parse(**our_arguments())
    request = build_request(Config(api_key="sk-bench"), call)
    assert isinstance(request.body, bytes)
    body: dict[str, Any] = json.loads(request.body)
    return body


def ours(body: bytes) -> Any:
    reply = Reply(200, HEADERS, (body,))
    transport = MemoryTransport(lambda _request: reply)
    client = Client(transport, Config(api_key="sk-bench", max_retries=0))
    arguments = our_arguments()
    parse = client.chat.completions.parse
    requests = transport.requests

    def call() -> object:
        completion = parse(**arguments)
        requests.clear()
        return completion

    return call


def official(body: bytes) -> Any:
    import httpx2  # the official SDK's own httpx fork
    import openai

    solution_model, lookup_model = pydantic_types()

    def answer_request(_request: Any) -> Any:
        return httpx2.Response(200, headers=dict(HEADERS), content=body)

    http_client = httpx2.Client(transport=httpx2.MockTransport(answer_request))
    client = openai.OpenAI(
        api_key="sk-bench", base_url="http://localhost/v1", max_retries=0, http_client=http_client
    )
    tools = [openai.pydantic_function_tool(lookup_model, name=name) for name in TOOL_NAMES]
    sent: Any = messages()

    def call() -> object:
        return client.chat.completions.parse(
            model=MODEL,
            messages=sent,
            response_format=solution_model,
            tools=tools,
            temperature=0.2,
            max_completion_tokens=1024,
        )

    return call


def check(ours_call: Any, official_call: Any) -> None:
    """Both sides parse the same answer (so the timings compare the same work)."""
    mine = ours_call().choices[0].message.parsed
    theirs = official_call().choices[0].message.parsed
    assert isinstance(mine, Solution)
    assert attrs.asdict(mine) == theirs.model_dump() == answer()


def main() -> None:
    body = response_bytes()
    ours_call = ours(body)
    sent = request_body()
    size = len(json.dumps(sent))
    rows = [("json.dumps(request body) (floor)", best_of(lambda: json.dumps(sent)))]
    try:
        official_call = official(body)
    except ImportError:  # pragma: no cover - the official SDK is a test-only dependency
        official_call = None
    if official_call is not None:
        check(ours_call, official_call)  # also builds each side's schemas once
    rows.append(("openai_proto client.chat.completions.parse()", best_of(ours_call)))
    if official_call is not None:
        rows.append(("openai (official) client.chat.completions.parse()", best_of(official_call)))
    title = (
        f"chat.completions.parse(): 20 messages, 3 tools, a nested response type "
        f"({size / 1024:.1f} KB request, {len(body) / 1024:.1f} KB response)"
    )
    report(title, rows, "json.dumps(request body) (floor)")


if __name__ == "__main__":
    main()
