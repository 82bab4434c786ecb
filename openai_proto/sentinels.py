"""Sentinels: ``UNSET`` (not given / not present) and ``OMIT`` (remove this header or key).

``UNSET`` is distinct from ``None``: ``None`` is JSON ``null`` (or "no timeout"),
``UNSET`` means the value was not given, so the default applies or nothing is sent.
"""

from __future__ import annotations

import enum
from typing import Literal, TypeVar, Union

T = TypeVar("T")


class UnsetType(enum.Enum):
    UNSET = "UNSET"

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


class OmitType(enum.Enum):
    OMIT = "OMIT"

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "OMIT"


UNSET = UnsetType.UNSET
OMIT = OmitType.OMIT

#: ``Maybe[int]`` reads "an int, or UNSET".
Maybe = Union[T, UnsetType]
