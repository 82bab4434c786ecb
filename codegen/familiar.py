"""Familiar names: the class names users know from the official client (``ChatCompletion``,
``FileObject``, ...) matched to the spec's schemas through ``resource-map.json``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from codegen.spec import Operation, Spec, ref_name

Schema = dict[str, Any]

#: ``returns`` values that are not models.
NOT_MODELS = frozenset({"None", "str", "HttpxBinaryResponseContent", "bytes"})
#: Familiar names too vague to become class names (they stay aliases in ``familiar.py``).
NO_RENAME = frozenset({"Data"})
#: Familiar names of schemas that no operation returns directly, as users know them.
EXTRA_RENAMES: Mapping[str, str] = {
    "CreateChatCompletionStreamResponse": "ChatCompletionChunk",
    "ChatCompletionResponseMessage": "ChatCompletionMessage",
}
#: Familiar names that point at a schema under another name (alias only, no rename).
EXTRA_ALIASES: Mapping[str, str] = {
    "ResponseOutputItem": "OutputItem",
    "ResponseInputItem": "InputItem",
    "ResponseFunctionToolCall": "FunctionToolCall",
    "ResponseOutputMessage": "OutputMessage",
    "ResponseUsage": "ResponseUsage",
    "ChatCompletionTokenLogprob": "ChatCompletionTokenLogprob",
    "ChatCompletionMessageToolCall": "ChatCompletionMessageToolCall",
    "ChatCompletionMessageParam": "ChatCompletionRequestMessage",
    "CompletionUsage": "CompletionUsage",
    "Embedding": "Embedding",
    "Moderation": "Moderation",
    "Image": "Image",
    "ResponseStreamEvent": "ResponseStreamEvent",
    "AssistantStreamEvent": "AssistantStreamEvent",
    "ResponseError": "ResponseError",
    "FunctionTool": "FunctionTool",
    "ChatCompletionTool": "ChatCompletionTool",
    "Transcription": "CreateTranscriptionResponseJson",
}
_WRAPPED = re.compile(r"\w+\[(?P<inner>.+)\]")


def familiar_of(returns: str) -> str | None:
    """``SyncCursorPage[FileObject]`` -> ``FileObject``; ``None`` for non-model returns."""
    match = _WRAPPED.fullmatch(returns)
    inner = match.group("inner") if match else returns
    return None if inner in NOT_MODELS or not inner.isidentifier() else inner


def is_paged(returns: str) -> bool:
    return _WRAPPED.fullmatch(returns) is not None


def json_response_schema(op: Operation) -> Schema | None:
    """The JSON schema of the first 2xx response of ``op``, if any."""
    responses = op.raw.get("responses") or {}
    for code in sorted(responses):
        if not code.startswith("2"):
            continue
        content = (responses[code] or {}).get("content") or {}
        schema = (content.get("application/json") or {}).get("schema")
        if isinstance(schema, dict):
            return schema
    return None


def returned_pointer(spec: Spec, op: Operation, paged: bool) -> str | None:
    """A pointer to the schema of what the operation returns (the item, for a page)."""
    schema = json_response_schema(op)
    if schema is None:
        return None
    name = ref_name(schema)
    if name is None:
        return None  # an inline response: named by its operation's context elsewhere
    pointer = f"#/components/schemas/{name}"
    if not paged:
        return pointer
    items = (spec.schemas[name].get("properties") or {}).get("data", {}).get("items")
    if not isinstance(items, dict):
        return None
    item_name = ref_name(items)
    return f"#/components/schemas/{item_name}" if item_name else f"{pointer}/properties/data/items"


def familiar_pairs(spec: Spec, resource_map: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Sorted unique ``(familiar name, schema pointer)`` pairs from the resource map."""
    operations = {(op.method, op.path): op for op in spec.operations()}
    pairs: set[tuple[str, str]] = set()
    for entry in resource_map.get("endpoints", []):
        familiar = familiar_of(entry["returns"])
        op = operations.get((entry["method"].upper(), entry["path"]))
        if familiar is None or op is None:
            continue
        pointer = returned_pointer(spec, op, is_paged(entry["returns"]))
        if pointer is not None:
            pairs.add((familiar, pointer))
    pairs.update((new, f"#/components/schemas/{old}") for old, new in EXTRA_RENAMES.items())
    return sorted(pairs)


def familiar_renames(spec: Spec, resource_map: Mapping[str, Any]) -> dict[str, str]:
    """Schema (name, or pointer for an inline schema) -> familiar class name, where one
    familiar name belongs to exactly one schema and that schema to exactly one name."""
    pairs = familiar_pairs(spec, resource_map)
    by_name: dict[str, set[str]] = {}
    by_schema: dict[str, set[str]] = {}
    for familiar, pointer in pairs:
        by_name.setdefault(familiar, set()).add(pointer)
        by_schema.setdefault(pointer, set()).add(familiar)
    renames: dict[str, str] = {}
    prefix = "#/components/schemas/"
    for familiar, pointer in pairs:
        if len(by_name[familiar]) != 1 or len(by_schema[pointer]) != 1:
            continue
        key = pointer[len(prefix) :] if "/" not in pointer[len(prefix) :] else pointer
        if key != familiar and familiar not in spec.schemas and familiar not in NO_RENAME:
            renames[key] = familiar
    return renames
