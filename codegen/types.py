"""Python annotations for JSON schemas, and the registry of the definitions they need.

:class:`TypeRegistry` turns a schema into annotation text (``"list[ChatCompletionTool]"``,
``"Literal['auto', 'none'] | ChatCompletionNamedToolChoice"``).  Every component schema is
defined up front (a class, a tagged union, or an alias); an inline object or union that needs
a name of its own is registered under a name derived from its ``context`` (the dotted place
where it appears, e.g. ``"CreateChatCompletionRequest.tool_choice"``).  The model generator
then emits every definition in :attr:`TypeRegistry.definitions`.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Iterable, Mapping
from typing import Any, Union

import attrs

from codegen.spec import Spec, ref_name

Schema = dict[str, Any]

#: Names generated code imports from the runtime or typing; no definition may take them.
RESERVED_TYPE_NAMES = frozenset(
    {"Any", "Literal", "Union", "UnsetType", "UNSET", "TYPE_CHECKING", "attrs", "field"}
    | {"BaseModel", "UnknownVariant", "register_tagged_union", "importlib"}
)
#: Field names the model runtime reserves (``raw`` only on unknown variants; avoided always),
#: and names that would shadow builtins used in annotations inside a class body.
RESERVED_FIELD_NAMES = frozenset(
    {"to_dict", "to_json", "from_dict", "model_extra", "is_set", "fields_set", "raw"}
    | {"str", "int", "float", "bool", "list", "dict", "Any", "Literal", "None", "UnsetType"}
)
SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
#: Property names tried, in order, to tell the members of a union without a discriminator apart.
INFERRED_TAGS = ("type", "object", "event")
NONE_SUFFIX = " | None"


@attrs.define
class FieldDef:
    """One property of a generated class.  ``annotation`` never includes ``None``."""

    name: str
    key: str
    annotation: str
    nullable: bool
    required: bool
    #: The single value of a required one-value enum/const property (a tag): its default.
    constant: str | None = None


@attrs.define
class ClassDef:
    """A generated model class; ``origin`` is the component name or the inline context."""

    name: str
    origin: str
    fields: list[FieldDef] = attrs.Factory(list)
    #: For the fallback class of a tagged union: the union's tag property.
    unknown_tag: str | None = None


@attrs.define
class UnionDef:
    """A union alias.  ``variants`` (tag value -> class) and ``unknown`` make its tagged part
    (empty for a plain union); ``others`` are further members (annotation texts)."""

    name: str
    origin: str
    members: list[str]
    tag: str | None = None
    variants: dict[str, str] = attrs.Factory(dict)
    unknown: str | None = None
    others: list[str] = attrs.Factory(list)
    nullable: bool = False


@attrs.define
class AliasDef:
    """A plain alias: ``name = annotation`` (enums as ``Literal``, lists, maps, scalars)."""

    name: str
    origin: str
    annotation: str


Definition = Union[ClassDef, UnionDef, AliasDef]


def pascal(text: str) -> str:
    """``"tool_choice"`` -> ``"ToolChoice"``; ``"Error-2"`` -> ``"Error2"``; keeps inner caps."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", text) if p]
    name = "".join(p[0].upper() + p[1:] for p in parts) or "Value"
    return f"T{name}" if name[0].isdigit() else name


def class_name(schema_name: str) -> str:
    """A component schema's Python name before familiar renames (``Error-2`` -> ``Error2``)."""
    name = pascal(schema_name) if not schema_name.isidentifier() else schema_name
    return f"{name}_" if name in RESERVED_TYPE_NAMES or keyword.iskeyword(name) else name


def field_name(key: str) -> str:
    """A Python attribute name for a JSON key (``self-harm/intent`` -> ``self_harm_intent``)."""
    name = re.sub(r"[^0-9A-Za-z_]+", "_", key).strip("_") or "value"
    if name[0].isdigit():
        name = f"n_{name}"
    if keyword.iskeyword(name) or name in RESERVED_FIELD_NAMES or name.startswith("_"):
        name = f"{name.lstrip('_')}_"
    return name


def literal(values: Iterable[object]) -> str:
    """``Literal['a', 'b']`` text for JSON scalar values (``None`` left out)."""
    texts = [_literal_value(v) for v in values if v is not None]
    return f"Literal[{', '.join(dict.fromkeys(texts))}]"


def _literal_value(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value).replace("true", "True").replace("false", "False")


def join_union(parts: Iterable[str], nullable: bool = False) -> str:
    """``A | B`` with duplicates removed and ``None`` last."""
    unique = [p for p in dict.fromkeys(parts) if p != "None"]
    text = " | ".join(unique) if unique else "None"
    return f"{text}{NONE_SUFFIX}" if nullable and unique else text


def split_none(annotation: str) -> tuple[str, bool]:
    """``("T", True)`` for ``"T | None"``; ``(annotation, False)`` otherwise."""
    if annotation.endswith(NONE_SUFFIX):
        return annotation[: -len(NONE_SUFFIX)], True
    return annotation, annotation == "None"


class TypeRegistry:
    """Annotations for schemas, and every definition (class, union, alias) they need.

    ``familiar`` renames component schemas (``{"CreateChatCompletionResponse":
    "ChatCompletion"}``; the original name stays available as an alias) and names inline
    schemas given by JSON pointer (``{"#/components/schemas/X/properties/data/items": "Y"}``).
    """

    def __init__(self, spec: Spec, familiar: Mapping[str, str] | None = None) -> None:
        self.spec = spec
        self.definitions: dict[str, Definition] = {}
        #: Component schema name -> its Python name (after familiar renames).
        self.component_names: dict[str, str] = {}
        #: Extra names for definitions: original component name -> familiar class name.
        self.aliases: dict[str, str] = {}
        self._contexts: dict[str, str] = {}
        #: Inline schemas already named, by identity (the same dict met again gets the same
        #: name); the dicts are kept alive by the spec, so an ``id`` is never reused.
        self.inline_names: dict[int, str] = {}
        familiar = familiar or {}
        self._assign_component_names(familiar)
        #: Inline contexts named by ``familiar`` (``"X.data.item"`` -> ``"Y"``).
        self._familiar_contexts = {
            pointer_context(p): name for p, name in familiar.items() if p.startswith("#/")
        }
        self._defining: set[str] = set()
        for name in sorted(spec.schemas):
            self._define_component(name)

    # -- public interface ---------------------------------------------------------------

    def class_name(self, schema_name: str) -> str:
        """The Python name of component schema ``schema_name``."""
        return self.component_names[schema_name]

    def annotation(self, schema: Schema, *, context: str, binary: str = "Any") -> str:
        """Annotation text for ``schema``; ``" | None"`` last when it allows ``null``.

        Inline objects and unions get definitions named after ``context``.  ``binary`` is
        the annotation for ``format: binary`` strings (file uploads).
        """
        return _Builder(self, binary).annotation(schema, context)

    def names_in(self, annotation: str) -> set[str]:
        """The generated names (definitions and aliases) an annotation uses."""
        without_strings = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "", annotation)
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", without_strings))
        return {w for w in words if w in self.definitions or w in self.aliases}

    def schema_of(self, name: str) -> Schema | None:
        """The component schema a definition came from, if any."""
        origin = self.definitions[name].origin
        return self.spec.schemas.get(origin) if "." not in origin else None

    # -- naming -------------------------------------------------------------------------

    def _assign_component_names(self, familiar: Mapping[str, str]) -> None:
        taken = {class_name(n) for n in self.spec.schemas}
        for schema_name in sorted(self.spec.schemas):
            base = class_name(schema_name)
            wanted = familiar.get(schema_name)
            if wanted and wanted != base and wanted not in taken:
                taken.add(wanted)
                self.component_names[schema_name] = wanted
                self.aliases[base] = wanted
            else:
                self.component_names[schema_name] = base

    def unique_name(self, context: str, suffix: str = "") -> str:
        """A fresh definition name for an inline schema at ``context``."""
        known = self._contexts.get(context + suffix)
        if known is not None:
            return known
        base = self._familiar_contexts.get(context) or pascal(context) + suffix
        name, n = base, 2
        while name in self.definitions or name in self.aliases or self._is_component(name):
            name, n = f"{base}{n}", n + 1
        self._contexts[context + suffix] = name
        return name

    def _is_component(self, name: str) -> bool:
        return name in self.component_names.values() or name in RESERVED_TYPE_NAMES

    def add(self, definition: Definition) -> str:
        self.definitions[definition.name] = definition
        return definition.name

    def _define_component(self, schema_name: str) -> None:
        """Define a component after the components it refers to, so that an inline schema
        shared through ``allOf`` is named after the schema that declares it."""
        name = self.component_names[schema_name]
        if name in self.definitions or schema_name in self._defining:
            return
        self._defining.add(schema_name)
        schema = self.spec.schemas[schema_name]
        for referenced in sorted(_referenced_components(schema)):
            if referenced in self.spec.schemas:
                self._define_component(referenced)
        _Builder(self, "Any").define(schema, name, schema_name)
        self._defining.discard(schema_name)


def pointer_context(pointer: str) -> str:
    """``#/components/schemas/X/properties/data/items`` -> ``X.data.item``."""
    parts = pointer.removeprefix("#/components/schemas/").split("/")
    out = [parts[0]]
    i = 1
    while i < len(parts):
        if parts[i] == "properties" and i + 1 < len(parts):
            out.append(parts[i + 1])
            i += 2
        else:
            out.append("item" if parts[i] == "items" else parts[i])
            i += 1
    return ".".join(out)


def _referenced_components(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        name = ref_name(node)
        if name is not None:
            found.add(name)
        for value in node.values():
            found |= _referenced_components(value)
    elif isinstance(node, list):
        for value in node:
            found |= _referenced_components(value)
    return found


class _Builder:
    """One annotation computation (holds the ``binary`` choice)."""

    def __init__(self, registry: TypeRegistry, binary: str) -> None:
        self.reg = registry
        self.spec = registry.spec
        self.binary = binary

    # -- annotations --------------------------------------------------------------------

    def annotation(self, schema: Schema, context: str) -> str:
        if not isinstance(schema, dict):
            return "Any"
        component = ref_name(schema)
        if component is not None:
            self.reg._define_component(component)
            return self.reg.component_names[component]
        if "$recursiveRef" in schema:
            return self.reg.component_names[context.split(".", 1)[0]]
        known = self.reg.inline_names.get(id(schema))
        if known is not None:
            return known
        text = self._inline(schema, context)
        if self.reg.names_in(text):
            self.reg.inline_names[id(schema)] = text
        return text

    def _inline(self, schema: Schema, context: str) -> str:
        base, nullable = self._annotation_and_null(schema, context)
        return join_union([base], nullable or schema.get("nullable") is True)

    def _annotation_and_null(self, schema: Schema, context: str) -> tuple[str, bool]:
        if "allOf" in schema:
            return self._all_of(schema, context), False
        if "oneOf" in schema or "anyOf" in schema:
            return split_none(self._union(schema, context))
        if "const" in schema:
            return literal([schema["const"]]), schema["const"] is None
        if "enum" in schema:
            values = schema["enum"]
            return literal(values), None in values or not values
        kind = schema.get("type")
        if isinstance(kind, list):
            parts = [self.annotation({**schema, "type": k}, context) for k in kind if k != "null"]
            return join_union(parts), "null" in kind
        return self._typed(schema, kind, context), kind == "null"

    def _typed(self, schema: Schema, kind: object, context: str) -> str:
        if kind in SCALARS:
            if kind == "string" and schema.get("format") == "binary":
                return self.binary
            return SCALARS[str(kind)]
        if kind == "array":
            return f"list[{self.annotation(schema.get('items', {}), context + '.item')}]"
        if kind == "null":
            return "None"
        if kind == "object" or "properties" in schema:
            return self._object(schema, context)
        return "Any"

    def _object(self, schema: Schema, context: str) -> str:
        if schema.get("properties"):
            name = self.reg.unique_name(context)
            if name not in self.reg.definitions:
                self.define_class(schema, name, context)
            return name
        return self._map(schema, context)

    def _map(self, schema: Schema, context: str) -> str:
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return f"dict[str, {self.annotation(extra, context + '.value')}]"
        return "dict[str, Any]"

    def _all_of(self, schema: Schema, context: str) -> str:
        parts = schema["allOf"]
        if len(parts) == 1 and not schema.get("properties"):
            return self.annotation(parts[0], context)
        name = self.reg.unique_name(context)
        if name not in self.reg.definitions:
            self.define_class(schema, name, context)
        return name

    def _union(self, schema: Schema, context: str) -> str:
        name = self.reg.unique_name(context)
        if name in self.reg.definitions:
            return _union_annotation(self.reg.definitions[name])
        texts, nullable = self._member_texts(schema, context)
        tagged = schema.get("discriminator") or self._inferred_tag(texts)
        if not tagged:
            return join_union(texts, nullable)
        return _union_annotation(self.define_union(schema, name, context))

    def _member_texts(self, schema: Schema, origin: str) -> tuple[list[str], bool]:
        members = schema.get("oneOf") or schema.get("anyOf") or []
        texts = [
            self.annotation(member, f"{origin}.{_member_label(member, index)}")
            for index, member in enumerate(members)
        ]
        nullable = schema.get("nullable") is True or any(split_none(t)[1] for t in texts)
        return [t for t in (split_none(t)[0] for t in texts) if t != "None"], nullable

    # -- definitions --------------------------------------------------------------------

    def define(self, schema: Schema, name: str, origin: str) -> None:
        """Define component ``origin`` under ``name`` (class, union or alias)."""
        if _is_object_like(schema):
            self.define_class(schema, name, origin)
        elif ("oneOf" in schema or "anyOf" in schema) and "properties" not in schema:
            self.define_union(schema, name, origin)
        else:
            self.reg.add(AliasDef(name, origin, "Any"))  # placeholder against recursion
            self.reg.add(AliasDef(name, origin, self.annotation(schema, origin)))

    def define_class(self, schema: Schema, name: str, origin: str) -> ClassDef:
        cls = ClassDef(name, origin)
        self.reg.add(cls)
        properties, required = self.merged_properties(schema)
        taken: set[str] = set()
        for key in properties:
            if _sdk_only(properties[key]):
                continue  # a client-side convenience, not part of the JSON (e.g. output_text)
            cls.fields.append(self._field(key, properties[key], key in required, origin, taken))
        return cls

    def _field(
        self, key: str, prop: Schema, required: bool, origin: str, taken: set[str]
    ) -> FieldDef:
        name = field_name(key)
        while name in taken:
            name = f"{name}_"
        taken.add(name)
        annotation, nullable = split_none(self.annotation(prop, f"{origin}.{key}"))
        constant = _single_value(self.spec.deref(prop)) if required else None
        return FieldDef(name, key, annotation, nullable, required, constant)

    def merged_properties(self, schema: Schema) -> tuple[dict[str, Schema], set[str]]:
        """Properties and required keys of an object schema, ``allOf`` parts merged in order."""
        properties: dict[str, Schema] = {}
        required: set[str] = set()
        for part in schema.get("allOf", []):
            sub_props, sub_required = self.merged_properties(self.spec.deref(part))
            for key, value in sub_props.items():
                properties[key] = _narrower(properties.get(key), value)
            required |= sub_required
        for key, value in (schema.get("properties") or {}).items():
            properties[key] = _narrower(properties.get(key), value)
        required |= set(schema.get("required") or [])
        return properties, required

    def define_union(self, schema: Schema, name: str, origin: str) -> UnionDef:
        union = UnionDef(name, origin, [])
        self.reg.add(union)
        texts, union.nullable = self._member_texts(schema, origin)
        discriminator = schema.get("discriminator") or {}
        tag = discriminator.get("propertyName") or self._inferred_tag(texts)
        if tag is not None:
            self._tag_union(union, tag, texts, self._mapping(discriminator))
        else:
            union.others = texts
        union.members = [*dict.fromkeys(union.variants.values()), *union.others]
        return union

    def _mapping(self, discriminator: Schema) -> dict[str, list[str]]:
        """``{"tag": "#/components/schemas/X"}`` -> ``{python name of X: ["tag"]}``."""
        found: dict[str, list[str]] = {}
        for value, ref in sorted((discriminator.get("mapping") or {}).items()):
            target = ref_name({"$ref": ref})
            if target is not None:
                found.setdefault(self.reg.component_names[target], []).append(value)
        return found

    def _inferred_tag(self, texts: list[str]) -> str | None:
        classes = [t for t in _flatten(self.reg, texts) if isinstance(self._def(t), ClassDef)]
        for candidate in INFERRED_TAGS:
            values = [self._tag_values(c, candidate) for c in classes]
            tagged = [v for v in values if v]
            flat = [x for v in tagged for x in v]
            if len(tagged) >= 2 and len(flat) == len(set(flat)) and len(tagged) == len(classes):
                return candidate
        return None

    def _tag_union(
        self, union: UnionDef, tag: str, texts: list[str], mapping: dict[str, list[str]]
    ) -> None:
        used: dict[str, str] = {}
        for text in _flatten(self.reg, texts):
            definition = self._def(text)
            values = self._tag_values(text, tag) if isinstance(definition, ClassDef) else []
            values = [*mapping.get(text, []), *values]
            fresh = [v for v in dict.fromkeys(values) if v not in used]
            if not fresh or len(fresh) < len(set(values)):
                union.others.append(text)
                continue
            for value in fresh:
                used[value] = text
        union.tag = tag
        union.variants = dict(used)
        if union.variants:
            union.unknown = self.reg.unique_name("Unknown." + union.name)
            self.reg.add(ClassDef(union.unknown, union.origin, unknown_tag=tag))
        else:
            union.tag = None

    def _def(self, text: str) -> Definition | None:
        return self.reg.definitions.get(text)

    def _tag_values(self, class_text: str, tag: str) -> list[str]:
        definition = self.reg.definitions.get(class_text)
        if not isinstance(definition, ClassDef):
            return []
        for fdef in definition.fields:
            if fdef.key == tag:
                return _literal_strings(fdef.annotation, self.reg)
        return []


def _union_annotation(definition: Definition) -> str:
    if isinstance(definition, UnionDef):
        return join_union([definition.name], definition.nullable)
    return definition.name


def _is_object_like(schema: Schema) -> bool:
    if schema.get("properties"):
        return True
    parts = schema.get("allOf")
    return isinstance(parts, list) and len(parts) > 1


def _sdk_only(schema: Schema) -> bool:
    """Whether a property is marked as computed by the official SDKs, not sent by the API."""
    parts = [schema, *(schema.get("anyOf") or []), *(schema.get("oneOf") or [])]
    return any(isinstance(p, dict) and "x-oaiSupportedSDKs" in p for p in parts)


def _single_value(schema: Schema) -> str | None:
    if isinstance(schema.get("const"), str):
        return str(schema["const"])
    values = schema.get("enum")
    if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str):
        return values[0]
    return None


def _narrower(old: Schema | None, new: Schema) -> Schema:
    """When ``allOf`` parts both declare a property, the later one wins unless it is empty."""
    if old is not None and not new:
        return old
    return new


def _member_label(member: Schema, index: int) -> str:
    title = member.get("title")
    if isinstance(title, str) and title:
        return title
    props = member.get("properties") or {}
    for tag in INFERRED_TAGS:
        value = _single_value(props.get(tag) or {})
        if value is not None:
            return value
    return f"variant{index + 1}"


def _flatten(registry: TypeRegistry, texts: list[str]) -> list[str]:
    """Members of nested unions pulled up (``A | (B | C)`` -> ``A, B, C``), order kept."""
    flat: list[str] = []
    for text in texts:
        definition = registry.definitions.get(text)
        if isinstance(definition, UnionDef):
            flat.extend(_flatten(registry, definition.members))
        else:
            flat.extend(p for p in split_top(text) if p != "None")
    return list(dict.fromkeys(flat))


def split_top(text: str) -> list[str]:
    """Split ``A | list[B | C] | D`` at top-level bars."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _literal_strings(annotation: str, registry: TypeRegistry) -> list[str]:
    """The string values of a ``Literal[...]`` annotation (or an alias of one)."""
    definition = registry.definitions.get(annotation)
    if isinstance(definition, AliasDef):
        annotation = definition.annotation
    match = re.fullmatch(r"Literal\[(.*)\]", annotation.strip())
    if match is None:
        return []
    return re.findall(r"'((?:[^'\\]|\\.)*)'", match.group(1))
