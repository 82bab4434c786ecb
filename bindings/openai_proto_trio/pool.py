"""Keep-alive pool bookkeeping for the trio binding (pure: no IO, times passed in,
never decreasing).

A :class:`Pool` tracks, per origin, how many connections are lent out and which
idle ones wait to be reused, each with the time it went idle.  It never opens or
closes anything: the methods hand back the connections the caller must close
(expired or over the idle limit).  Admission (at most ``max_connections`` lent out
per origin) is enforced by the caller with one semaphore per origin; because an idle
connection is only made by returning a lent one and a new one is opened only when
none is idle, the connections open to an origin never exceed that bound.
"""

from __future__ import annotations

from collections import Counter
from typing import Generic, TypeVar

import attrs

C = TypeVar("C")
Origin = tuple[str, str, int]


def _positive(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValueError(f"{attribute.name} must be at least 1, not {value!r}")


def _not_negative(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} cannot be negative, not {value!r}")


@attrs.frozen
class Limits:
    """Per origin: connections lent out at once, idle ones kept, seconds an idle one lives.

    By default every connection may stay idle (``max_idle == max_connections``), so a
    steady load reuses its connections instead of closing and reopening the surplus.
    """

    max_connections: int = attrs.field(default=100, validator=_positive)
    max_idle: int = attrs.field(default=100, validator=_positive)
    idle_timeout: float = attrs.field(default=30.0, validator=_not_negative)


class Pool(Generic[C]):
    """Idle connections per origin (most recently used last) and lent-out counts."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._idle: dict[Origin, list[tuple[float, C]]] = {}
        self._lent: Counter[Origin] = Counter()

    def lent(self, origin: Origin) -> int:
        return self._lent[origin]

    def idle(self, origin: Origin) -> int:
        return len(self._idle.get(origin, ()))

    def take(self, origin: Origin, now: float) -> tuple[C | None, list[C]]:
        """The most recently used idle connection, lent out, or ``None`` (then the caller
        opens one and calls :meth:`lend`); plus the expired ones to close."""
        expired = self._expire(origin, now)
        waiting = self._idle.get(origin)
        if not waiting:
            return None, expired
        _, connection = waiting.pop()
        self._lent[origin] += 1
        return connection, expired

    def lend(self, origin: Origin) -> None:
        """Count a connection the caller is opening as lent out."""
        self._lent[origin] += 1

    def give_back(self, origin: Origin, connection: C, now: float) -> list[C]:
        """A lent connection that can be reused goes idle; returns the ones to close."""
        self._returned(origin)
        waiting = self._idle.setdefault(origin, [])
        waiting.append((now, connection))
        surplus = len(waiting) - self.limits.max_idle
        dropped = [c for _, c in waiting[:surplus]] if surplus > 0 else []
        if surplus > 0:
            del waiting[:surplus]
        return dropped + self._expire(origin, now)

    def discard(self, origin: Origin) -> None:
        """A lent connection was closed (broken, cancelled, or not reusable)."""
        self._returned(origin)

    def drain(self) -> list[C]:
        """Every idle connection (to close the pool); lent ones stay counted."""
        connections = [c for waiting in self._idle.values() for _, c in waiting]
        self._idle.clear()
        return connections

    def _returned(self, origin: Origin) -> None:
        if self._lent[origin] <= 0:
            raise RuntimeError(f"no connection to {origin!r} is lent out")
        self._lent[origin] -= 1
        if not self._lent[origin]:
            del self._lent[origin]

    def _expire(self, origin: Origin, now: float) -> list[C]:
        """Drop the idle connections older than the idle timeout: a prefix of the
        list, which is in the order they went idle (times never decrease)."""
        waiting = self._idle.get(origin)
        oldest_kept = now - self.limits.idle_timeout
        if not waiting or waiting[0][0] > oldest_kept:
            return []
        count = next(
            (n for n, (since, _) in enumerate(waiting) if since > oldest_kept), len(waiting)
        )
        expired = [c for _, c in waiting[:count]]
        del waiting[:count]
        return expired
