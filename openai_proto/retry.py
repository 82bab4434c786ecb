"""The retry policy, as pure functions of what happened, the attempt number and a random draw.

- A status is retried when the response says ``x-should-retry: true``; it is not
  when it says ``false``; otherwise 408, 409, 429 and 5xx are retried.
- Transport timeouts and connection failures are retried.
- The delay is the server's ``retry-after-ms`` / ``retry-after`` (seconds or an
  HTTP date) when it is positive and at most :data:`MAX_RETRY_AFTER`; otherwise
  exponential backoff from :data:`INITIAL_DELAY` doubling up to :data:`MAX_DELAY`,
  multiplied by a jitter factor in ``(0.75, 1]`` drawn from the injected RNG.
"""

from __future__ import annotations

import math

from openai_proto.http import ResponseHead

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 120.0
RETRYABLE_STATUSES = frozenset({408, 409, 429})


def is_retryable_status(head: ResponseHead) -> bool:
    """Whether a non-2xx response may be retried."""
    hint = head.header("x-should-retry")
    if hint is not None and hint.strip().lower() in {"true", "false"}:
        return hint.strip().lower() == "true"
    return head.status in RETRYABLE_STATUSES or head.status >= 500


def retry_after(head: ResponseHead, now: float) -> float | None:
    """The delay the server asked for, in seconds, or ``None`` when it asked for none."""
    millis = _number(head.header("retry-after-ms"))
    if millis is not None:
        return millis / 1000.0
    value = head.header("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    from email.utils import mktime_tz, parsedate_tz  # imports socket: only when needed

    parsed = parsedate_tz(value)
    return None if parsed is None else mktime_tz(parsed) - now


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def backoff(retries_taken: int, rand: float) -> float:
    """Exponential backoff with jitter; ``rand`` is a draw from ``[0, 1)``."""
    exponent = min(retries_taken, 32)
    return min(INITIAL_DELAY * 2.0**exponent, MAX_DELAY) * (1.0 - 0.25 * rand)


def decide(
    head: ResponseHead | None, retries_taken: int, max_retries: int, rand: float, now: float
) -> float | None:
    """The delay before the next attempt, or ``None`` when there must be none.

    ``head`` is ``None`` after a transport error.  A server that asks for a delay
    longer than :data:`MAX_RETRY_AFTER` is not retried: the caller gets the error at
    once (its response still carries the header) instead of a client stuck for hours.
    """
    if retries_taken >= max_retries:
        return None
    if head is None:
        return backoff(retries_taken, rand)
    if not is_retryable_status(head):
        return None
    requested = retry_after(head, now)
    if requested is not None and requested > 0:
        return requested if requested <= MAX_RETRY_AFTER else None
    return backoff(retries_taken, rand)
