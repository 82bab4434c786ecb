"""The model layer: attrs classes for the API's JSON, decoded leniently and encoded losslessly.

This module is the whole public API; the code generator writes its ~1,400 classes on it.

Writing a model
---------------
::

    from __future__ import annotations
    from typing import Literal, Union
    import attrs
    from openai_proto.models import UNSET, Model, UnknownVariant, UnsetType, field
    from openai_proto.models import register_tagged_union

    @attrs.define
    class FunctionCall(Model):
        type: Literal["function_call"] | UnsetType = field(default="function_call", required=True)
        name: str | UnsetType = field(required=True)
        arguments: str | UnsetType | None = UNSET
        from_: str | UnsetType = field(json="from")      # JSON key that is not a Python name

    @attrs.define
    class UnknownItem(UnknownVariant):                     # fallback: holds any other variant
        type: str | UnsetType = UNSET

    Item = Union[Message, FunctionCall, UnknownItem]      # Message: a model like FunctionCall
    register_tagged_union(Item, tag="type", variants={"message": Message,
                          "function_call": FunctionCall}, unknown=UnknownItem, name="Item")

Rules for generated classes:

- Decorate with ``@attrs.define`` (mutable, slotted) and derive from :class:`Model`, directly
  or through another model.  Do not define ``__eq__``.  Use no validators or converters.
  ``@attrs.define(repr=False)`` gives ``Model.__repr__``, which leaves UNSET fields out and
  shows unknown keys (attrs' own repr lists every field).
- Annotate every field ``T | UnsetType``, or ``T | UnsetType | None`` when JSON ``null`` is
  allowed (ruff wants ``None`` last), and give it a default: ``UNSET``, or a constant for a
  tag the caller need not type.  Decoding ignores defaults: an absent key decodes to ``UNSET``.
- A JSON key that is not a usable Python name (a keyword, ``self-harm/intent``, a name in
  :data:`RESERVED_NAMES`) gets a Python name of your choice and ``field(json="the key")``.
  A field named in :data:`RESERVED_NAMES` raises :class:`ModelDefinitionError` on first use.
- ``field(...)`` is ``attrs.field`` plus ``json=``/``required=``; its metadata keys are
  :data:`JSON_KEY` and :data:`REQUIRED_KEY`, so ``attrs.field(metadata={"json": "from"})``
  works too.  (ruff's RUF009 flags calls in attrs defaults: configure
  ``lint.flake8-bugbear.extend-immutable-calls = ["openai_proto.models.field"]``.)
- Mark the spec's required properties with ``field(required=True)``.  This is checked only
  in strict mode; lenient decoding treats ``required`` as advisory.
- Supported annotations: ``str``, ``int``, ``float``, ``bool``, ``None``, ``Literal[...]``
  (enums: open strings when lenient), ``Any``/``object``, ``list[T]`` (also ``Sequence[T]``,
  ``tuple[T, ...]``), ``dict[str, T]`` (also ``Mapping``), model classes, ``enum.Enum``
  subclasses, ``Union``/``X | Y`` of these, ``Annotated[T, ...]``.
- String annotations (``from __future__ import annotations``) are resolved on first use,
  in the defining module's globals, then among all ``Model`` subclasses by class name and
  the aliases registered with ``name=``.  So a name used only in annotations may be
  imported under ``TYPE_CHECKING``.  An unresolvable name raises
  :class:`ModelDefinitionError` on first use of the class.
- A discriminated union is a ``Union[...]`` alias of its variants plus one fallback class
  (derive it from :class:`UnknownVariant` and usually declare only the tag field), given
  to :func:`register_tagged_union` at import time, before any decoding.  Each member set
  may be registered once.  An annotation whose union contains all members of a registered
  union (e.g. ``Item | str | None``) uses it.

Decoding: ``structure(data, T)`` and ``T.from_dict(data)``
----------------------------------------------------------
Lenient (the default) never raises, whatever the JSON:

- ``null`` is accepted anywhere and kept as ``None``; absent keys are ``UNSET``.
- A value of an unexpected JSON type is kept as it is (never coerced: ``5`` stays ``5`` in
  a ``str`` field, a string stays a string where a model or list was expected).
- ``Literal`` and enum values the annotation does not list are kept as they are.
- Unknown keys are kept in ``model_extra`` (input order).
- Tagged unions: the tag picks the variant; a missing, non-string or unknown tag gives the
  union's unknown class, which keeps every key.
- Unions without a tag: a JSON object goes to the member among the object types (models,
  tagged unions, maps, ``Any``) it strictly conforms to, trying the best-ranked first
  (no conflicting ``Literal`` values, most matching ones, fewest missing required keys,
  most known keys), else to the best ranked; an array goes to the list member(s); a
  value no member takes is kept as it is.
- Decoding sets attributes directly: ``__init__`` and ``__attrs_post_init__`` do not run.
  Decoded objects may share lists of scalars and ``Any`` values with the input.
- At the top level too, ``structure(data, T)`` returns ``data`` itself when it is not what
  ``T`` expects (a list for a model class); ``T.from_dict(data)`` instead raises
  :class:`ModelDriftError` for anything but a mapping.

Strict decoding (``strict=True``; for our own tests) builds the same objects but raises
:class:`ModelDriftError` (``path`` such as ``choices[0].message.role``, and ``problem``)
on a missing required key, a value of the wrong JSON type (``null`` included, unless the
annotation allows ``None``), an unknown literal or enum value, or a missing or unknown
union tag.  Unknown keys are allowed.  For input that passes, the result equals the
lenient one.  Messages show unknown enum values and tags, never other values.

Encoding: ``unstructure(value)`` and ``model.to_dict()`` / ``model.to_json()``
------------------------------------------------------------------------------
UNSET fields are left out, ``None`` is written as ``null``, unknown keys are written after
the declared fields, and values kept as they were are written back unchanged, so
``unstructure(structure(j, T)) == j`` for any JSON ``j``.  The result is made of new
dicts and lists (apart from values nested inside kept, unexpected ones).  Models inside
``Any`` fields, maps and lists are encoded too; ``UNSET`` inside a container raises
:class:`~openai_proto.errors.InvalidRequestError`.  Key order: declared fields in
declaration order, then unknown keys in the order they came.

Other names: :func:`get_tagged_union` gives a union's :class:`TaggedUnion` registration
(``tag``, ``variants``, ``unknown``, ``variant_for(tag_value)``), e.g. for stream code
that dispatches on event types; :func:`make_converter` gives a ``cattrs.Converter`` that
delegates models and tagged unions here; :class:`ModelDefinitionError` reports a class or
annotation this layer cannot handle.

Performance: each class gets a decoder and an encoder generated as Python source on first
use (not at import); decoding a large chat completion costs less than ``json.loads`` of
its bytes (see ``tests/bench/bench_models.py``).
"""

from __future__ import annotations

from typing import Any

from openai_proto._models.core import (
    JSON_KEY,
    REQUIRED_KEY,
    RESERVED_NAMES,
    Model,
    ModelDefinitionError,
    ModelDriftError,
    TaggedUnion,
    UnknownVariant,
    field,
    get_tagged_union,
    register_tagged_union,
    structure,
    unstructure,
)
from openai_proto.sentinels import UNSET, UnsetType


def make_converter(*, strict: bool = False) -> Any:
    """A ``cattrs.Converter`` that (un)structures models and registered unions through this
    module, for code that already speaks cattrs.  Imports cattrs on call."""
    from openai_proto._models.interop import make_converter as make

    return make(strict=strict)


__all__ = [
    "JSON_KEY",
    "REQUIRED_KEY",
    "RESERVED_NAMES",
    "UNSET",
    "Model",
    "ModelDefinitionError",
    "ModelDriftError",
    "TaggedUnion",
    "UnknownVariant",
    "UnsetType",
    "field",
    "get_tagged_union",
    "make_converter",
    "register_tagged_union",
    "structure",
    "unstructure",
]
