"""Request building: openai_proto vs the official ``openai`` package, same body, same run.

Each side builds the request for a typical chat completion (20 messages, 3 tools, a
JSON-schema response format, about 8 KB of JSON) up to the point of handing it to
the network; the floor is ``json.dumps`` of the same body.
"""

from __future__ import annotations

import json
from typing import Any

from openai_proto import Call, Config, build_request
from tests.bench.timing import best_of, report


def typical_body() -> dict[str, Any]:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a careful assistant that answers briefly. " * 3}
    ]
    for turn in range(19):
        role = "user" if turn % 2 == 0 else "assistant"
        messages.append({"role": role, "content": f"Message {turn}: " + "lorem ipsum " * 25})
    tools = [
        {
            "type": "function",
            "function": {
                "name": f"tool_{index}",
                "description": "Look something up in the catalogue by name and date.",
                "strict": True,
                "parameters": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "date": {"type": "string"},
                        "limit": {"type": "integer"},
                    },
                    "required": ["name", "date", "limit"],
                    "additionalProperties": False,
                },
            },
        }
        for index in range(3)
    ]
    schema = {
        "type": "object",
        "properties": {
            "steps": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"explanation": {"type": "string"}, "output": {"type": "string"}},
                    "required": ["explanation", "output"],
                    "additionalProperties": False,
                },
            },
            "final_answer": {"type": "string"},
        },
        "required": ["steps", "final_answer"],
        "additionalProperties": False,
    }
    return {
        "model": "gpt-4o-2024-08-06",
        "messages": messages,
        "tools": tools,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "math_reasoning", "strict": True, "schema": schema},
        },
        "temperature": 0.2,
        "max_completion_tokens": 1024,
    }


def ours(body: dict[str, Any]) -> Any:
    config = Config(api_key="sk-bench")

    def build() -> object:
        call: Call[Any] = Call(method="POST", path="/chat/completions", body=body, body_kind="json")
        return build_request(config, call)

    return build


class Sent(Exception):
    pass


def official(body: dict[str, Any]) -> Any:
    import openai

    client = openai.OpenAI(api_key="sk-bench", max_retries=0)

    def refuse(*_args: object, **_kwargs: object) -> object:
        raise Sent

    client._client.send = refuse  # type: ignore[method-assign,assignment]

    def build() -> object:
        try:
            client.chat.completions.create(**body)
        except Sent:
            return None
        raise AssertionError("the request was not handed to the network")

    return build


def main() -> None:
    body = typical_body()
    size = len(json.dumps(body))
    rows = [
        ("json.dumps(body) (floor)", best_of(lambda: json.dumps(body))),
        ("openai_proto build_request", best_of(ours(body))),
        ("openai (official) create() up to send", best_of(official(body))),
    ]
    report(f"Request building, {size / 1024:.1f} KB body", rows, "json.dumps(body) (floor)")


if __name__ == "__main__":
    main()
