"""Ranking the object members of a union that has no discriminator.

Each member that accepts a JSON object becomes a ``Candidate`` (a registered tagged union
inside such a union contributes one candidate per variant, plus its unknown class).  For a
given object, candidates are ranked by, in order: fewest conflicting literal values (a
``type: Literal["text"]`` field seeing another string conflicts), most matching literal
values, fewest missing required keys, most known keys present; ties keep declaration order.
The decoders then take the first candidate the object strictly conforms to (see
``lenient`` and ``strict``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openai_proto._models.core import Model, TaggedUnion
from openai_proto._models.shapes import Kind, Shape, model_info

Score = tuple[int, int, int, int]
_NEUTRAL: Score = (0, 0, 0, 0)


class Candidate:
    """One way to read a JSON object inside a union."""

    __slots__ = ("_clues", "shape", "tag", "tags", "unknown_of")

    def __init__(
        self,
        shape: Shape,
        tag: str | None = None,
        tags: frozenset[str] = frozenset(),
        unknown_of: TaggedUnion | None = None,
    ) -> None:
        self.shape = shape
        #: For a variant of a tagged union: the tag property and the values naming it.
        self.tag = tag
        self.tags = tags
        #: For the unknown class of a tagged union: that union.
        self.unknown_of = unknown_of
        self._clues: tuple[frozenset[str], frozenset[str], Mapping[str, Any]] | None = None

    @property
    def model(self) -> type[Model] | None:
        return self.shape.cls if self.shape.kind is Kind.MODEL else None

    def score(self, value: dict[str, Any]) -> Score:
        """How well ``value`` fits this candidate (bigger is better)."""
        if self.shape.kind is not Kind.MODEL:
            return _NEUTRAL
        keys, required, literals = self._model_clues()
        conflicts = matches = 0
        for key, allowed in literals.items():
            if key in value:
                item = value[key]
                if item.__class__ in (dict, list) or (item.__class__, item) not in allowed:
                    conflicts += 1
                else:
                    matches += 1
        present = value.keys()
        return (-conflicts, matches, -len(required - present), len(present & keys))

    def _model_clues(self) -> tuple[frozenset[str], frozenset[str], Mapping[str, Any]]:
        if self._clues is None:
            info = model_info(self.shape.cls)
            literals = dict(info.literals)
            if self.tag is not None:
                literals[self.tag] = frozenset((str, tag) for tag in self.tags)
            self._clues = (info.keys, info.required_keys, literals)
        return self._clues


def object_candidates(shapes: tuple[Shape, ...]) -> list[Candidate]:
    """The candidates for a JSON object among a union's member shapes, in order."""
    candidates: list[Candidate] = []
    for shape in shapes:
        if shape.kind is Kind.TAGGED and shape.tagged is not None:
            candidates.extend(_tagged_candidates(shape.tagged))
        elif shape.kind in (Kind.MODEL, Kind.MAP, Kind.ANY):
            candidates.append(Candidate(shape))
    return candidates


def _tagged_candidates(tagged: TaggedUnion) -> list[Candidate]:
    tags_by_class: dict[type[Model], set[str]] = {}
    for tag_value, cls in tagged.variants.items():
        tags_by_class.setdefault(cls, set()).add(tag_value)
    candidates = [
        Candidate(Shape(Kind.MODEL, cls=cls), tagged.tag, frozenset(tags))
        for cls, tags in tags_by_class.items()
    ]
    candidates.append(Candidate(Shape(Kind.MODEL, cls=tagged.unknown), unknown_of=tagged))
    return candidates


def rank(candidates: list[Candidate], value: dict[str, Any]) -> list[Candidate]:
    """``candidates`` best first for ``value``; a stable sort keeps declaration order on ties."""
    return sorted(candidates, key=lambda candidate: candidate.score(value), reverse=True)
