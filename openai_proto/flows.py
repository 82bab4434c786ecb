"""Multi-request logic written once, as generators that yield steps.

A flow yields :class:`Open`, :class:`Read`, :class:`Close`, :class:`Sleep` and
:class:`GetKey` steps; a driver (:mod:`openai_proto.client`) performs each step and
sends the result back (``Open`` -> :class:`ResponseHead`, ``Read`` -> ``bytes``,
``GetKey`` -> ``str``), or throws :class:`~openai_proto.transport.TransportError`
into the flow at the step that failed.  The flow decides everything else: retries,
delays, errors.  Sync and async drivers run the same flows, so they make the same
requests and the same sleeps.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any, TypeVar, Union

import attrs

from openai_proto import retry
from openai_proto.build import build_request
from openai_proto.call import Call
from openai_proto.config import Config
from openai_proto.errors import APIConnectionError, APITimeoutError, status_error
from openai_proto.http import Request, Response, ResponseHead
from openai_proto.multipart import boundary_from
from openai_proto.sentinels import UNSET
from openai_proto.transport import TransportError, TransportTimeout

log = logging.getLogger("openai_proto")

T = TypeVar("T")


@attrs.frozen
class Open:
    """Send ``request``; answer with its :class:`ResponseHead`."""

    request: Request


@attrs.frozen
class Read:
    """Read the rest of the open response's body and release it; answer with ``bytes``."""


@attrs.frozen
class Close:
    """Release the open response without reading it."""


@attrs.frozen
class Sleep:
    """Wait ``seconds``."""

    seconds: float


@attrs.frozen
class GetKey:
    """Call the configured key provider (awaiting it if it is async); answer with the key."""


Step = Union[Open, Read, Close, Sleep, GetKey]
Flow = Generator[Step, Any, T]

#: The steps without fields, made once (they compare equal to new instances).
READ = Read()
CLOSE = Close()
GET_KEY = GetKey()
#: The multipart boundary of a request whose body is not multipart (never sent).
NO_BOUNDARY = "openai-proto-boundary"


@attrs.frozen
class Exchange:
    """The attempt that succeeded: its request, head, body (``None`` when left open)."""

    request: Request
    head: ResponseHead
    body: bytes | None
    retries_taken: int

    @property
    def response(self) -> Response:
        return Response(self.head, self.body or b"")


def send(config: Config, call: Call[Any], *, binding: str, stream: bool = False) -> Flow[Exchange]:
    """Send ``call`` with retries; return the successful exchange or raise the typed error.

    With ``stream`` the successful response is left open for the driver to hand over.
    """
    max_retries = call.options.max_retries
    limit = config.max_retries if max_retries is UNSET else max_retries
    multipart = call.body_kind == "multipart"
    retries_taken = 0
    while True:
        key = (yield GET_KEY) if config.key_provider is not None else None
        draw = config.random()  # one draw per attempt, multipart or not
        boundary = boundary_from(draw) if multipart else NO_BOUNDARY
        request = build_request(config, call, api_key=key, boundary=boundary, binding=binding)
        try:
            head = yield Open(request)
            if head.is_success:
                body = None if stream else (yield READ)
                return Exchange(request, head, body, retries_taken)
        except TransportError as exc:
            delay = _transport_retry(config, request, exc, retries_taken, limit)
        else:
            decided = retry.decide(head, retries_taken, limit, config.random(), config.clock())
            if decided is None:
                raise status_error(request, Response(head, (yield from _read_quietly())))
            delay = decided
            yield CLOSE
        log.info("Retrying %s %s in %.3f seconds", request.method, _path(request), delay)
        yield Sleep(delay)
        retries_taken += 1


def _transport_retry(
    config: Config, request: Request, exc: TransportError, retries_taken: int, limit: int
) -> float:
    replayable = _replayable(request)
    delay = retry.decide(None, retries_taken, limit if replayable else 0, config.random(), 0.0)
    if delay is None:
        error = APITimeoutError(request) if isinstance(exc, TransportTimeout) else None
        raise (error or APIConnectionError(request)) from exc
    return delay


def _replayable(request: Request) -> bool:
    if isinstance(request.body, bytes):
        return True
    from openai_proto.files import is_replayable

    return bool(is_replayable(request.body))


def _read_quietly() -> Flow[bytes]:
    """The body of an error response; a transport failure while reading leaves it empty."""
    try:
        body: bytes = yield READ
    except TransportError:
        return b""
    return body


def _path(request: Request) -> str:
    """The URL without its query string, for log lines."""
    return request.url.split("?", 1)[0]
