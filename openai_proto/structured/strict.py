"""The API's strict-mode rules for JSON schemas, as a checker.

From the Structured Outputs guide ("Supported schemas"): the top level is an object (not
``anyOf``); every object has ``additionalProperties: false`` and lists every property in
``required``; only these keywords are allowed — ``type``, ``description``, ``title``,
``enum``, ``const``, ``anyOf``, ``$ref``, ``$defs``/``definitions``, ``properties``,
``required``, ``additionalProperties``, ``items``, ``minItems``, ``maxItems``, ``pattern``,
``format`` (one of :data:`FORMATS`), ``multipleOf``, ``minimum``, ``maximum``,
``exclusiveMinimum``, ``exclusiveMaximum`` — so no ``oneOf``, ``allOf``, ``prefixItems``,
``default``, ``minLength``...; a ``$ref`` has no sibling keywords and resolves inside the
document; and the size limits of :data:`LIMITS` hold (objects nested at most 10 deep, at
most 5,000 properties, at most 1,000 enum values, at most 120,000 characters of property
names, definition names, enum and const values, and at most 15,000 characters of string
values in an enum of more than 250 values).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openai_proto.errors import SchemaError

JSON = dict[str, Any]

KEYWORDS = frozenset(
    {
        "type",
        "description",
        "title",
        "enum",
        "const",
        "anyOf",
        "$ref",
        "$defs",
        "definitions",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "pattern",
        "format",
        "multipleOf",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)
TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})
FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)
LIMITS = {
    "depth": 10,
    "properties": 5000,
    "enum_values": 1000,
    "characters": 120_000,
    "large_enum_size": 250,
    "large_enum_characters": 15_000,
}
#: How deep the checker follows nested schemas (far beyond what the API accepts).
MAX_LEVELS = 200
#: Keywords a node needs one of (``{}`` accepts anything: strict mode has no such schema).
_TYPED_BY = ("type", "anyOf", "$ref", "enum", "const")


def check_strict_schema(schema: Any) -> None:
    """Raise SchemaError (the first problem, and how many) if ``schema`` breaks a rule."""
    problems = strict_schema_problems(schema)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SchemaError(f"not a valid strict-mode schema: {problems[0]}{more}")


def strict_schema_problems(schema: Any) -> list[str]:
    """Every broken rule, as ``"<json path>: <problem>"`` texts (empty when valid)."""
    if not isinstance(schema, dict):
        return ["#: a schema must be a JSON object"]
    checker = _Checker(schema)
    if schema.get("type") != "object" or "anyOf" in schema:
        checker.problem("#", "the top level must be an object schema, not anyOf")
    checker.node(schema, "#")
    if not checker.too_deep:
        checker.limits()
    return checker.problems


class _Checker:
    def __init__(self, root: JSON) -> None:
        self.root = root
        self.problems: list[str] = []
        self.properties = 0
        self.enum_values = 0
        self.characters = 0
        self.level = 0
        self.too_deep = False

    def problem(self, path: str, text: str) -> None:
        self.problems.append(f"{path}: {text}")

    def node(self, schema: Any, path: str) -> None:
        if not isinstance(schema, dict):
            self.problem(path, "a schema must be a JSON object")
            return
        if self.level >= MAX_LEVELS:
            self.problem(path, f"schemas nested more than {MAX_LEVELS} deep")
            self.too_deep = True
            return
        self.level += 1
        try:
            self.keywords(schema, path)
        finally:
            self.level -= 1

    def keywords(self, schema: JSON, path: str) -> None:
        for key in schema:
            if key not in KEYWORDS:
                self.problem(path, f"keyword {key!r} is not supported in strict mode")
        if not any(key in schema for key in _TYPED_BY):
            self.problem(path, "a schema needs a type (or anyOf, $ref, enum, const)")
        self.type_(schema, path)
        if "$ref" in schema:
            self.ref(schema, path)
        for keyword in ("$defs", "definitions"):
            defs = schema.get(keyword)
            if defs is not None:
                self.defs(defs, f"{path}/{keyword}")
        if "anyOf" in schema:
            self.any_of(schema["anyOf"], path)
        if "enum" in schema:
            self.enum(schema["enum"], path)
        if "const" in schema:
            self.characters += _text_length(schema["const"])
        fmt = schema.get("format")
        if fmt is not None and fmt not in FORMATS:
            self.problem(path, f"format {fmt!r} is not supported (use one of {sorted(FORMATS)})")

    def type_(self, schema: JSON, path: str) -> None:
        kind = schema.get("type")
        kinds = kind if isinstance(kind, list) else [] if kind is None else [kind]
        for name in kinds:
            if name not in TYPES:
                self.problem(path, f"unknown type {name!r}")
        if "object" in kinds or "properties" in schema:
            self.object_(schema, path)
        if "array" in kinds or "items" in schema:
            items = schema.get("items")
            if items is None:
                self.problem(path, "an array needs items")
            else:
                self.node(items, f"{path}/items")

    def object_(self, schema: JSON, path: str) -> None:
        if schema.get("additionalProperties") is not False:
            self.problem(path, "an object needs additionalProperties: false")
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            self.problem(path, "an object needs properties")
            return
        required = schema.get("required")
        if not isinstance(required, list) or sorted(map(str, required)) != sorted(properties):
            missing = sorted(set(properties) - set(required if isinstance(required, list) else ()))
            self.problem(path, f"every property must be required (missing: {missing})")
        self.properties += len(properties)
        for key, value in properties.items():
            self.characters += len(key)
            self.node(value, f"{path}/properties/{key}")

    def ref(self, schema: JSON, path: str) -> None:
        ref = schema["$ref"]
        siblings = sorted(set(schema) - {"$ref", "$defs", "definitions"})
        if siblings:
            self.problem(path, f"$ref cannot have sibling keywords {siblings}")
        if not isinstance(ref, str) or resolve_ref(self.root, ref) is None:
            self.problem(path, f"$ref {ref!r} does not resolve inside the schema")

    def defs(self, defs: Any, path: str) -> None:
        if not isinstance(defs, dict):
            self.problem(path, "definitions must be an object")
            return
        for name, value in defs.items():
            self.characters += len(name)
            self.node(value, f"{path}/{name}")

    def any_of(self, variants: Any, path: str) -> None:
        if not isinstance(variants, list) or not variants:
            self.problem(path, "anyOf must be a non-empty list")
            return
        for index, variant in enumerate(variants):
            self.node(variant, f"{path}/anyOf/{index}")

    def enum(self, values: Any, path: str) -> None:
        if not isinstance(values, list) or not values:
            self.problem(path, "enum must be a non-empty list")
            return
        self.enum_values += len(values)
        length = sum(_text_length(value) for value in values)
        self.characters += length
        if len(values) > LIMITS["large_enum_size"] and length > LIMITS["large_enum_characters"]:
            self.problem(
                path,
                f"an enum of more than {LIMITS['large_enum_size']} values may hold at most "
                f"{LIMITS['large_enum_characters']} characters (has {length})",
            )

    def limits(self) -> None:
        depth = object_depth(self.root, self.root)
        checks = [
            ("depth", depth, "objects nested"),
            ("properties", self.properties, "properties"),
            ("enum_values", self.enum_values, "enum values"),
            ("characters", self.characters, "characters of names and values"),
        ]
        for key, value, what in checks:
            if value > LIMITS[key]:
                self.problem("#", f"{value} {what}, more than the {LIMITS[key]} allowed")


def _text_length(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def resolve_ref(root: JSON, ref: str) -> Any:
    """The schema ``ref`` (``#`` or ``#/a/b``) points at inside ``root``, else ``None``."""
    if ref == "#":
        return root
    if not ref.startswith("#/"):
        return None
    target: Any = root
    for escaped in ref[2:].split("/"):
        part = escaped.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, dict) or part not in target:
            return None
        target = target[part]
    return target if isinstance(target, dict) else None


def object_depth(schema: Any, root: JSON) -> int:
    """How many objects nest inside each other (references followed once, cycles cut)."""
    return _depth(schema, root, frozenset({"#"}), {})


def _depth(schema: Any, root: JSON, stack: frozenset[str], memo: dict[str, int]) -> int:
    if not isinstance(schema, dict):
        return 0
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref in stack:
            return 0
        if ref not in memo:
            memo[ref] = _depth(resolve_ref(root, ref), root, stack | {ref}, memo)
        return memo[ref]
    own = 1 if "properties" in schema else 0
    return own + max((_depth(c, root, stack, memo) for c in _children(schema)), default=0)


def _children(schema: JSON) -> Iterator[Any]:
    properties = schema.get("properties")
    if isinstance(properties, dict):
        yield from properties.values()
    if "items" in schema:
        yield schema["items"]
    variants = schema.get("anyOf")
    if isinstance(variants, list):
        yield from variants


__all__ = [
    "FORMATS",
    "KEYWORDS",
    "LIMITS",
    "check_strict_schema",
    "object_depth",
    "resolve_ref",
    "strict_schema_problems",
]
