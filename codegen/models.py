"""The model generator: every definition of the :class:`~codegen.types.TypeRegistry` as
source under ``generated/models/``, a lazy package index, and ``generated/familiar.py``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from codegen.familiar import EXTRA_ALIASES, familiar_pairs
from codegen.grouping import definition_modules
from codegen.spec import Spec
from codegen.types import (
    AliasDef,
    ClassDef,
    Definition,
    FieldDef,
    TypeRegistry,
    UnionDef,
)

PACKAGE = "openai_proto.generated.models"
#: Hand-written mixins (in ``openai_proto.conveniences``) added as bases of some classes.
MIXINS: Mapping[str, str] = {
    "Response": "ResponseConveniences",
    "BetaResponse": "ResponseConveniences",
}
TYPING_NAMES = ("Any", "Literal", "Union")


def dependencies(registry: TypeRegistry, definition: Definition) -> set[str]:
    """Definition names that ``definition`` mentions (aliases resolved to their target)."""
    if isinstance(definition, ClassDef):
        texts = [f.annotation for f in definition.fields]
    elif isinstance(definition, UnionDef):
        texts = [*definition.members, *([definition.unknown] if definition.unknown else [])]
    else:
        texts = [definition.annotation]
    found: set[str] = set()
    for text in texts:
        found |= {registry.aliases.get(n, n) for n in registry.names_in(text)}
    found.discard(definition.name)
    return found


def generate(spec: Spec, registry: TypeRegistry, resource_map: Mapping[str, Any]) -> dict[str, str]:
    """``models/*.py`` and ``familiar.py`` (paths relative to ``openai_proto/generated``)."""
    familiar = familiar_names(spec, registry, resource_map)
    deps = {name: dependencies(registry, d) for name, d in registry.definitions.items()}
    modules = definition_modules(registry, deps)
    by_module: dict[str, list[str]] = {}
    for name in sorted(registry.definitions):
        by_module.setdefault(modules[name], []).append(name)
    aliases_by_module: dict[str, list[str]] = {}
    for alias, target in sorted(registry.aliases.items()):
        aliases_by_module.setdefault(modules[target], []).append(alias)
    files = {
        f"models/{module}.py": ModuleWriter(
            registry, module, names, aliases_by_module.get(module, []), modules, deps
        ).source()
        for module, names in sorted(by_module.items())
    }
    index = {name: modules[name] for name in registry.definitions}
    index.update({alias: modules[target] for alias, target in registry.aliases.items()})
    files["models/__init__.py"] = package_source(index)
    files["familiar.py"] = familiar_source(familiar)
    return files


class ModuleWriter:
    """The source of one module of models."""

    def __init__(
        self,
        registry: TypeRegistry,
        module: str,
        names: list[str],
        aliases: list[str],
        modules: Mapping[str, str],
        deps: Mapping[str, set[str]],
    ) -> None:
        self.reg = registry
        self.module = module
        self.names = names
        self.aliases = aliases
        self.modules = modules
        self.deps = deps

    def source(self) -> str:
        body = self.body()
        return "\n".join([*self.imports(body), "", "", body])

    def body(self) -> str:
        defs = [self.reg.definitions[n] for n in self.names]
        classes = [d for d in defs if isinstance(d, ClassDef)]
        blocks = [class_source(c, self.reg) for c in classes]
        blocks += [alias_source(d) for d in self.ordered_aliases()]
        blocks += [f"{alias} = {self.reg.aliases[alias]}\n" for alias in self.aliases]
        return "\n\n".join(blocks)

    def ordered_aliases(self) -> list[AliasDef | UnionDef]:
        """Aliases and unions of this module, each after the ones it uses."""
        local = {n: d for n in self.names if not isinstance(d := self.reg.definitions[n], ClassDef)}
        ordered: list[AliasDef | UnionDef] = []
        done: set[str] = set()

        def visit(name: str) -> None:
            if name in done:
                return
            done.add(name)
            for dep in sorted(self.deps[name]):
                if dep in local:
                    visit(dep)
            ordered.append(local[name])

        for name in sorted(local):
            visit(name)
        return ordered

    def imports(self, body: str) -> list[str]:
        used = words_outside_strings(body)
        lines = [
            "from __future__ import annotations",
            "",
            *[f"from typing import {n}" for n in TYPING_NAMES if n in used],
            "",
            "import attrs" if "attrs" in used else "",
            "",
        ]
        runtime = ["UNSET", "UnknownVariant", "UnsetType", "field", "register_tagged_union"]
        lines += [f"from openai_proto.models import {n}" for n in runtime if n in used]
        if "BaseModel" in used:
            lines.append("from openai_proto.models import Model as BaseModel")
        lines += [
            f"from openai_proto.conveniences import {m}"
            for m in sorted(set(MIXINS.values()))
            if m in used
        ]
        lines += self.cross_module_imports()
        return [f'"""Models of the {self.module!r} group (generated)."""', "", *lines]

    def cross_module_imports(self) -> list[str]:
        wanted: dict[str, set[str]] = {}
        for name in self.names:
            for dep in self.deps[name]:
                module = self.modules[dep]
                if module != self.module:
                    wanted.setdefault(module, set()).add(dep)
        return [
            f"from {PACKAGE}.{module} import {name}"
            for module, names in sorted(wanted.items())
            for name in sorted(names)
        ]


def words_outside_strings(text: str) -> set[str]:
    without = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "", text)
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", without))


def class_source(cls: ClassDef, registry: TypeRegistry) -> str:
    if cls.unknown_tag is not None:
        lines = [
            "@attrs.define(repr=False)",
            f"class {cls.name}(UnknownVariant):",
            f"    {_unknown_field(cls.unknown_tag)}",
        ]
        return "\n".join(lines) + "\n"
    bases = ", ".join([*([MIXINS[cls.name]] if cls.name in MIXINS else []), "BaseModel"])
    lines = ["@attrs.define(repr=False)", f"class {cls.name}({bases}):"]
    lines += [f"    {field_source(f)}" for f in cls.fields] or ["    pass"]
    return "\n".join(lines) + "\n"


def _unknown_field(tag: str) -> str:
    name = tag if tag.isidentifier() else "tag"
    extra = f", json={tag!r}" if name != tag else ""
    return (
        f"{name}: str | UnsetType = field(default=UNSET{extra})"
        if extra
        else (f"{name}: str | UnsetType = UNSET")
    )


def field_source(fdef: FieldDef) -> str:
    # A required field is typed as the spec says (UNSET only when the API drifts; strict mode
    # reports that); an optional one admits UNSET.
    unset = "" if fdef.required else " | UnsetType"
    annotation = f"{fdef.annotation}{unset}" + (" | None" if fdef.nullable else "")
    options: list[str] = []
    if fdef.constant is not None:
        options.append(f"default={fdef.constant!r}")
    if fdef.key != fdef.name:
        options.append(f"json={fdef.key!r}")
    if fdef.required:
        options.append("required=True")
    value = f"field({', '.join(options)})" if options else "UNSET"
    return f"{fdef.name}: {annotation} = {value}"


def alias_source(definition: AliasDef | UnionDef) -> str:
    if isinstance(definition, AliasDef):
        return f"{definition.name} = {definition.annotation}\n"
    members = list(definition.members)
    if definition.unknown is None:
        parts = [*members, *(["None"] if definition.nullable else [])]
        text = f"Union[{', '.join(parts)}]" if len(parts) > 1 else parts[0]
        return f"{definition.name} = {text}\n"
    return tagged_union_source(definition)


def tagged_union_source(union: UnionDef) -> str:
    assert union.unknown is not None
    assert union.tag is not None
    tagged = [*dict.fromkeys(union.variants.values()), union.unknown]
    variants = ", ".join(f"{value!r}: {cls}" for value, cls in union.variants.items())
    extra = [*union.others, *(["None"] if union.nullable else [])]
    if extra:
        tagged_name = f"_{union.name}Tagged"
        lines = [
            f"{tagged_name} = Union[{', '.join(tagged)}]",
            f"{union.name} = Union[{', '.join([*tagged, *extra])}]",
            f"register_tagged_union({tagged_name}, tag={union.tag!r}, "
            f"variants={{{variants}}}, unknown={union.unknown})",
        ]
    else:
        lines = [
            f"{union.name} = Union[{', '.join(tagged)}]",
            f"register_tagged_union({union.name}, tag={union.tag!r}, "
            f"variants={{{variants}}}, unknown={union.unknown}, name={union.name!r})",
        ]
    return "\n".join(lines) + "\n"


def package_source(index: Mapping[str, str]) -> str:
    names = sorted(index)
    lines = [
        '"""Every generated model, union and alias, imported lazily on first access."""',
        "",
        "from __future__ import annotations",
        "",
        "import importlib",
        "from typing import TYPE_CHECKING, Any",
        "",
        "if TYPE_CHECKING:",
        *_grouped_imports(index),
        "",
        "__all__ = [",
        *[f"    {n!r}," for n in names],
        "]",
        "",
        "#: Name -> the module (in this package) that defines it.",
        "INDEX: dict[str, str] = {",
        *[f"    {n!r}: {index[n]!r}," for n in names],
        "}",
        "",
        "",
        "def __getattr__(name: str) -> Any:",
        "    module = INDEX.get(name)",
        "    if module is None:",
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        '    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)',
        "    globals()[name] = value",
        "    return value",
        "",
        "",
        "def __dir__() -> list[str]:",
        "    return sorted(INDEX)",
        "",
    ]
    return "\n".join(lines)


def _grouped_imports(index: Mapping[str, str]) -> list[str]:
    by_module: dict[str, list[str]] = {}
    for name in sorted(index):
        by_module.setdefault(index[name], []).append(name)
    return [
        f"    from {PACKAGE}.{module} import ({', '.join(names)})"
        for module, names in sorted(by_module.items())
    ]


def familiar_names(
    spec: Spec, registry: TypeRegistry, resource_map: Mapping[str, Any]
) -> dict[str, str]:
    """Familiar name -> the generated name it stands for (first schema, by sorted pointer).

    A familiar name that is already the name of another generated definition is left out:
    the spec's own meaning of that name wins."""
    found: dict[str, str] = {}
    prefix = "#/components/schemas/"
    for familiar, pointer in familiar_pairs(spec, resource_map):
        if familiar in found:
            continue
        if pointer.startswith(prefix) and "/" not in pointer[len(prefix) :]:
            found[familiar] = registry.class_name(pointer[len(prefix) :])
        else:
            inline = spec.resolve_pointer(pointer)
            found[familiar] = registry.annotation(inline, context=familiar)
    for familiar, schema in EXTRA_ALIASES.items():
        found.setdefault(familiar, registry.class_name(schema))
    known = registry.definitions.keys() | registry.aliases.keys()
    return {
        name: target
        for name, target in sorted(found.items())
        if target in known and (name not in known or name == target)
    }


def familiar_source(names: Mapping[str, str]) -> str:
    lines = [
        '"""Familiar names of the official client (``ChatCompletion``, ``FileObject``, ...)',
        'mapped onto the generated models; resolved lazily."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import TYPE_CHECKING, Any",
        "",
        "if TYPE_CHECKING:",
        *[
            f"    from {PACKAGE} import {target}" + (f" as {name}" if name != target else "")
            for name, target in names.items()
        ],
        "",
        "__all__ = [",
        *[f"    {name!r}," for name in names],
        "]",
        "",
        "#: Familiar name -> the name in ``openai_proto.generated.models``.",
        "FAMILIAR: dict[str, str] = {",
        *[f"    {name!r}: {target!r}," for name, target in names.items()],
        "}",
        "",
        "",
        "def __getattr__(name: str) -> Any:",
        "    target = FAMILIAR.get(name)",
        "    if target is None:",
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        "    from openai_proto.generated import models",
        "",
        "    value = getattr(models, target)",
        "    globals()[name] = value",
        "    return value",
        "",
        "",
        "def __dir__() -> list[str]:",
        "    return sorted(FAMILIAR)",
        "",
    ]
    return "\n".join(lines)
