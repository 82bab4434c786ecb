"""Hypothesis strategies for chat completion streams: a completion, and chunk streams for it.

:func:`completions` draws a non-streamed ``chat.completion`` dict (``n`` choices with text or
a refusal, tool calls, logprobs, finish reasons; usage; system fingerprint).
:func:`chunk_streams` draws, for a completion, a list of chunks that stream it: texts cut at
random points (empty pieces included), tool-call arguments cut likewise, logprobs spread
over the content chunks, choices interleaved at random, sometimes several choices in one
chunk, and a final usage chunk. With ``official_safe=True`` the stream keeps to what the
official SDK's accumulator handles (choices and tool calls first appear in index order,
tool calls one after another, no ``null`` after a value, no logprobs on a choice's first
chunk).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import strategies as st

texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
short_names = st.text("abcdefgh_", min_size=1, max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(short_names, inner, max_size=3),
    max_leaves=8,
)
argument_objects = st.dictionaries(short_names, json_values, max_size=4)


@st.composite
def token_logprobs(draw: st.DrawFn) -> dict[str, Any]:
    token = draw(st.text(max_size=4))
    tops = draw(
        st.lists(
            st.builds(lambda t: {"token": t, "logprob": -1.5, "bytes": None}, st.text(max_size=3)),
            max_size=3,
        )
    )
    return {
        "token": token,
        "logprob": draw(st.floats(-20, 0, allow_nan=False)),
        "bytes": list(token.encode()),
        "top_logprobs": tops,
    }


@st.composite
def tool_calls(draw: st.DrawFn) -> list[dict[str, Any]]:
    calls = []
    for number in range(draw(st.integers(0, 3))):
        arguments = json.dumps(draw(argument_objects), ensure_ascii=draw(st.booleans()))
        calls.append(
            {
                "id": f"call_{number}_{draw(short_names)}",
                "type": "function",
                "function": {"name": draw(short_names), "arguments": arguments},
            }
        )
    return calls


@st.composite
def choices(draw: st.DrawFn, index: int) -> dict[str, Any]:
    refused = draw(st.booleans()) and draw(st.booleans())
    calls: list[dict[str, Any]] = [] if refused else draw(tool_calls())
    only_calls = bool(calls) and draw(st.booleans())
    content = None if refused or only_calls else draw(texts)
    message: dict[str, Any] = {
        "role": "assistant",
        "content": content,
        "refusal": draw(texts) if refused else None,
    }
    if calls:
        message["tool_calls"] = calls
    logprobs = None
    if draw(st.booleans()):
        logprobs = {
            "content": None if content is None else draw(st.lists(token_logprobs(), max_size=4)),
            "refusal": draw(st.lists(token_logprobs(), max_size=3)) if refused else None,
        }
    reason = draw(st.sampled_from(["stop", "length", "content_filter"]))
    return {
        "index": index,
        "message": message,
        "logprobs": logprobs,
        "finish_reason": "tool_calls" if calls else reason,
    }


@st.composite
def completions(draw: st.DrawFn, max_choices: int = 3) -> dict[str, Any]:
    count = draw(st.integers(1, max_choices))
    return {
        "id": "chatcmpl-" + draw(short_names),
        "object": "chat.completion",
        "created": draw(st.integers(0, 2**31)),
        "model": draw(st.sampled_from(["gpt-4o", "gpt-4o-mini"])),
        "choices": [draw(choices(index)) for index in range(count)],
        "usage": {
            "prompt_tokens": draw(st.integers(0, 99)),
            "completion_tokens": draw(st.integers(0, 99)),
            "total_tokens": draw(st.integers(0, 999)),
        },
        "system_fingerprint": draw(st.sampled_from([None, "fp_1"])),
        "service_tier": "default",
    }


def cut(draw: st.DrawFn, text: str) -> list[str]:
    """``text`` in pieces cut at random points (empty pieces allowed)."""
    points = sorted(draw(st.lists(st.integers(0, len(text)), max_size=6)))
    bounds = [0, *points, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


def _choice_deltas(
    draw: st.DrawFn, choice: dict[str, Any], official_safe: bool
) -> list[dict[str, Any]]:
    """The per-chunk choice entries (``index``, ``delta``, ``logprobs``, ``finish_reason``)."""
    message = choice["message"]
    index = choice["index"]
    entries: list[dict[str, Any]] = []
    first: dict[str, Any] = {"role": "assistant"}
    if message["content"] is not None:
        first["content"] = ""
    entries.append({"delta": first})
    for piece in cut(draw, message["content"] or ""):
        if message["content"] is not None:
            entries.append({"delta": {"content": piece}})
    for piece in cut(draw, message["refusal"] or ""):
        if message["refusal"] is not None:
            entries.append({"delta": {"refusal": piece}})
    entries.extend(_tool_entries(draw, message.get("tool_calls", []), official_safe))
    logprobs = choice["logprobs"]
    if logprobs is not None:
        _spread_logprobs(draw, entries, logprobs, skip_first=official_safe)
    entries.append({"delta": {}, "finish_reason": choice["finish_reason"]})
    for entry in entries:
        entry["index"] = index
        entry.setdefault("logprobs", None)
        entry.setdefault("finish_reason", None)
    return entries


def _tool_entries(
    draw: st.DrawFn, calls: list[dict[str, Any]], official_safe: bool
) -> list[dict[str, Any]]:
    streams = []
    for number, call in enumerate(calls):
        pieces = cut(draw, call["function"]["arguments"])
        head = {
            "index": number,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": pieces[0]},
        }
        rest = [{"index": number, "function": {"arguments": p}} for p in pieces[1:]]
        streams.append([head, *rest])
    if official_safe:
        order = [delta for stream in streams for delta in stream]
    else:
        order = interleave(draw, streams)
    return [{"delta": {"tool_calls": [delta]}} for delta in order]


def _spread_logprobs(
    draw: st.DrawFn, entries: list[dict[str, Any]], logprobs: Any, skip_first: bool
) -> None:
    """Give each text chunk a consecutive slice of the logprobs (some slices empty).

    ``skip_first``: no items on a choice's first chunk (the official SDK counts them twice
    when the choice first appears after the stream's first chunk)."""
    entries[0]["logprobs"] = {k: None if v is None else [] for k, v in logprobs.items()}
    for key in ("content", "refusal"):
        items = logprobs[key]
        if items is None:
            continue
        candidates = entries[1:] if skip_first else entries
        carriers = [e for e in candidates if key in e["delta"]] or candidates[:1]
        cuts = sorted(
            draw(
                st.lists(
                    st.integers(0, len(items)),
                    min_size=len(carriers) - 1,
                    max_size=len(carriers) - 1,
                )
            )
        )
        bounds = [0, *cuts, len(items)]
        for number, carrier in enumerate(carriers):
            current = carrier.get("logprobs") or {"content": None, "refusal": None}
            current[key] = items[bounds[number] : bounds[number + 1]]
            carrier["logprobs"] = current


def interleave(draw: st.DrawFn, streams: list[list[Any]]) -> list[Any]:
    """One sequence taking items from ``streams`` in a random order, each stream in order."""
    positions = [0] * len(streams)
    out: list[Any] = []
    while True:
        open_ = [n for n, s in enumerate(streams) if positions[n] < len(s)]
        if not open_:
            return out
        n = draw(st.sampled_from(open_))
        out.append(streams[n][positions[n]])
        positions[n] += 1


@st.composite
def chunk_streams(
    draw: st.DrawFn, completion: dict[str, Any], official_safe: bool = False
) -> list[dict[str, Any]]:
    streams = [_choice_deltas(draw, c, official_safe) for c in completion["choices"]]
    if official_safe:
        # each choice first appears in index order: start them in order, then interleave
        order = [s[0] for s in streams] + interleave(draw, [s[1:] for s in streams])
    else:
        order = interleave(draw, streams)
    groups: list[list[Any]] = []
    for entry in order:
        same = groups and any(e["index"] == entry["index"] for e in groups[-1])
        if groups and not same and draw(st.booleans()) and not official_safe:
            groups[-1].append(entry)
        else:
            groups.append([entry])
    top = {
        "id": completion["id"],
        "object": "chat.completion.chunk",
        "created": completion["created"],
        "model": completion["model"],
        "service_tier": completion["service_tier"],
        "system_fingerprint": completion["system_fingerprint"],
    }
    chunks = [{**top, "choices": group} for group in groups]
    if not official_safe:
        for chunk in chunks:
            if draw(st.booleans()):
                chunk["usage"] = None
            if draw(st.booleans()):
                chunk["obfuscation"] = "xyz"
    chunks.append({**top, "choices": [], "usage": completion["usage"]})
    if not official_safe and draw(st.booleans()):
        chunks.append({**top, "choices": [], "usage": None, "system_fingerprint": None})
    return chunks
