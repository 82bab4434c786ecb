"""Helpers for testing code that uses openai_proto.

The scripted loopback server: :class:`Script` and :class:`Reply` (pure, in
:mod:`openai_proto.testing.script`) say what to answer and how to misbehave, and
:class:`LoopbackServer` (:mod:`openai_proto.testing.server`) serves them over real
sockets.  Importing this package loads no socket or threading code: the server
module is imported on first use of ``LoopbackServer``.  In-memory transports live
in :mod:`openai_proto.testing.memory` (whose ``Reply`` is a different class).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openai_proto.testing.http11 import MalformedRequest, ParsedRequest, RequestParser
from openai_proto.testing.script import (
    Action,
    Close,
    Pause,
    Reply,
    Reset,
    Script,
    Send,
    SSEEvent,
    demo_script,
    error_reply,
    json_reply,
    plan,
    retry_after_reply,
    sse_events,
    sse_reply,
)

if TYPE_CHECKING:
    from openai_proto.testing.server import LoopbackServer

__all__ = [
    "Action",
    "Close",
    "LoopbackServer",
    "MalformedRequest",
    "ParsedRequest",
    "Pause",
    "Reply",
    "RequestParser",
    "Reset",
    "SSEEvent",
    "Script",
    "Send",
    "demo_script",
    "error_reply",
    "json_reply",
    "plan",
    "retry_after_reply",
    "sse_events",
    "sse_reply",
]


def __getattr__(name: str) -> Any:
    if name == "LoopbackServer":
        from openai_proto.testing.server import LoopbackServer

        return LoopbackServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
