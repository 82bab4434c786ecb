"""Pydantic models as structured outputs (used only when the type is a pydantic class).

pydantic writes the JSON schema and validates the output itself; this module makes the
schema strict and wraps validation errors. pydantic is never imported here: a pydantic
class can exist only when its module is already loaded.

Strict rewriting of pydantic's schema: every object gets ``additionalProperties: false``
and all its properties in ``required``; ``oneOf`` (discriminated unions) becomes ``anyOf``
and ``discriminator`` goes; a one-entry ``allOf`` is merged into its schema; ``default``
goes (strict mode has none); a ``$ref`` with sibling keywords is replaced by the
referenced schema merged with them. Refused with :class:`SchemaError`: maps
(``additionalProperties`` schemas, or ``true``), fixed-length tuples (``prefixItems``),
``allOf`` of several schemas.
"""

from __future__ import annotations

import sys
from typing import Any

from openai_proto.errors import ContentParseError, SchemaError
from openai_proto.structured.strict import resolve_ref

JSON = dict[str, Any]

_ADAPTERS: dict[type, Any] = {}


def _pydantic() -> Any:
    return sys.modules["pydantic"]


def _is_model(cls: type) -> bool:
    return issubclass(cls, _pydantic().BaseModel)


def adapter(cls: type) -> Any:
    """A cached ``TypeAdapter`` for a pydantic dataclass."""
    found = _ADAPTERS.get(cls)
    if found is None:
        found = _ADAPTERS[cls] = _pydantic().TypeAdapter(cls)
    return found


def pydantic_strict_schema(cls: type, path: str) -> JSON:
    """The strict schema of a pydantic model or pydantic dataclass."""
    schema = cls.model_json_schema() if _is_model(cls) else adapter(cls).json_schema()  # type: ignore[attr-defined]
    return _Strict(schema, path).fix(schema, "#")


class _Strict:
    def __init__(self, root: JSON, name: str) -> None:
        self.root = root
        self.name = name

    def fail(self, where: str, problem: str) -> SchemaError:
        return SchemaError(f"{problem} (at {where} of its schema)", self.name)

    def fix(self, schema: Any, where: str) -> JSON:
        """Make ``schema`` strict, in place; the result (a new dict for inlined refs)."""
        if not isinstance(schema, dict):
            raise self.fail(where, "a schema must be a JSON object")
        for keyword in ("$defs", "definitions"):
            for name, entry in (schema.get(keyword) or {}).items():
                self.fix(entry, f"{where}/{keyword}/{name}")
        self.object_(schema, where)
        if "prefixItems" in schema:
            raise self.fail(
                where,
                "fixed-length tuples (prefixItems) are not supported in strict mode; "
                "use tuple[X, ...] or a model",
            )
        if isinstance(schema.get("items"), dict):
            schema["items"] = self.fix(schema["items"], f"{where}/items")
        self.unions(schema, where)
        self.all_of(schema, where)
        schema.pop("default", None)
        ref = schema.get("$ref")
        if isinstance(ref, str) and len(schema) > 1:
            target = resolve_ref(self.root, ref)
            if target is None:
                raise self.fail(where, f"$ref {ref!r} does not resolve")
            merged = {**target, **schema}
            del merged["$ref"]
            return self.fix(merged, where)
        return schema

    def object_(self, schema: JSON, where: str) -> None:
        extra = schema.get("additionalProperties", False)
        if extra is not False:
            raise self.fail(
                where,
                "a mapping with arbitrary keys (additionalProperties) cannot be strict; "
                "use a model, or a list of key/value models",
            )
        if schema.get("type") == "object":
            schema["additionalProperties"] = False
        properties = schema.get("properties")
        if isinstance(properties, dict):
            schema["required"] = list(properties)
            for key, value in properties.items():
                properties[key] = self.fix(value, f"{where}/properties/{key}")

    def unions(self, schema: JSON, where: str) -> None:
        one_of = schema.pop("oneOf", None)
        schema.pop("discriminator", None)
        if one_of is not None:
            if "anyOf" in schema:
                raise self.fail(where, "both anyOf and oneOf")
            schema["anyOf"] = one_of
        variants = schema.get("anyOf")
        if isinstance(variants, list):
            schema["anyOf"] = [
                self.fix(variant, f"{where}/anyOf/{i}") for i, variant in enumerate(variants)
            ]

    def all_of(self, schema: JSON, where: str) -> None:
        entries = schema.get("allOf")
        if entries is None:
            return
        if not isinstance(entries, list) or len(entries) != 1:
            raise self.fail(where, "allOf of several schemas is not supported in strict mode")
        del schema["allOf"]
        schema.update(self.fix(entries[0], f"{where}/allOf/0"))


def loader(cls: type) -> Any:
    """A function: decoded JSON -> instance (pydantic's lax validation)."""
    if _is_model(cls):
        return cls.model_validate  # type: ignore[attr-defined]
    return adapter(cls).validate_python


def text_loader(cls: type) -> Any:
    """A function: JSON text -> instance (pydantic parses the text itself)."""
    if _is_model(cls):
        return cls.model_validate_json  # type: ignore[attr-defined]
    return adapter(cls).validate_json


def dumper(cls: type) -> Any:
    """A function: instance -> JSON value."""
    if _is_model(cls):
        return lambda value: value.model_dump(mode="json")
    dump = adapter(cls).dump_python
    return lambda value: dump(value, mode="json")


def is_validation_error(exc: BaseException) -> bool:
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(exc, pydantic.ValidationError)


def parse_error(exc: Any, raw: Any) -> ContentParseError:
    """A ContentParseError for a pydantic ValidationError (its first error)."""
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": str(exc)}
    path = ""
    for part in first.get("loc", ()):
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ContentParseError(f"{first.get('msg', 'invalid')}{more}", raw, path)


__all__ = [
    "dumper",
    "is_validation_error",
    "loader",
    "parse_error",
    "pydantic_strict_schema",
    "text_loader",
]
