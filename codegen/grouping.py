"""Which generated module each definition goes to.

A component schema belongs to the operation group (``x-oaiMeta.group``) of the operations
that reach it; one reached from several groups goes to a ``shared_*`` module chosen by how
many groups reach it, so imports between modules only go from fewer groups to more and
never form a cycle.  Schemas no operation reaches are grouped by their name.  As a safety
net, modules that still import each other in a cycle are merged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from codegen.spec import Spec, ref_name
from codegen.types import TypeRegistry

#: Operation groups folded into a bigger one (``usage-costs`` -> ``usage``).
GROUP_PREFIXES = ("usage", "realtime", "fine_tuning")
#: Name prefixes of schemas no operation reaches, and the module they go to.
UNREACHED_PREFIXES = (
    ("Realtime", "realtime"),
    ("Responses", "responses"),
    ("Beta", "responses"),
    ("Assistant", "assistants"),
)
#: Modules whose ``Beta...`` schemas go to a ``<module>_beta`` module.
BETA_SPLIT = frozenset({"responses", "realtime", "shared_conversations_responses"})
#: Schemas reached by the same several groups get a module of their own from this many on.
OWN_MODULE_MINIMUM = 5
SHARED_LEVELS = ((2, "shared_2"), (3, "shared_3"), (5, "shared_5"), (9, "shared_9"))


def module_key(text: str) -> str:
    """A Python module name for a group name (``fine-tuning`` -> ``fine_tuning``)."""
    key = re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_") or "misc"
    for prefix in GROUP_PREFIXES:
        if key.startswith(prefix):
            return prefix
    return f"m_{key}" if key[0].isdigit() else key


def _refs(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        name = ref_name(node)
        if name is not None:
            found.add(name)
        for key, value in node.items():
            if key != "x-oaiMeta":
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def _closure(spec: Spec, roots: Iterable[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = sorted(roots)
    while stack:
        name = stack.pop()
        if name not in seen and name in spec.schemas:
            seen.add(name)
            stack.extend(sorted(edges[name]))
    return seen


def schema_groups(spec: Spec) -> dict[str, str]:
    """Component schema name -> module name."""
    edges = {name: _refs(schema, set()) for name, schema in spec.schemas.items()}
    reach: dict[str, set[str]] = {name: set() for name in spec.schemas}
    for group, roots in sorted(_operation_roots(spec).items()):
        for name in _closure(spec, roots, edges):
            reach[name].add(group)
    referenced = set().union(*edges.values())
    unreached = {name for name, groups in reach.items() if not groups}
    for name in sorted(unreached - referenced):
        for reached in _closure(spec, [name], edges) & unreached:
            reach[reached].add(_unreached_group(name))
    sizes: dict[frozenset[str], int] = {}
    for groups in reach.values():
        sizes[frozenset(groups)] = sizes.get(frozenset(groups), 0) + 1
    return {
        name: _beta_split(name, _module_for(groups, sizes[frozenset(groups)]))
        for name, groups in reach.items()
    }


def _beta_split(name: str, module: str) -> str:
    """The beta copies of big areas (``BetaResponse``, ``RealtimeBeta...``) in a module of
    their own, so that using the stable types does not load them."""
    if module in BETA_SPLIT and ("Beta" in name[: len("RealtimeBeta")]):
        return f"{module}_beta"
    return module


def _operation_roots(spec: Spec) -> dict[str, set[str]]:
    roots: dict[str, set[str]] = {}
    for op in spec.operations():
        meta = op.raw.get("x-oaiMeta") or {}
        tags = op.raw.get("tags") or ["misc"]
        group = module_key(str(meta.get("group") or tags[0]))
        roots.setdefault(group, set()).update(_refs(op.raw, set()))
    webhooks = spec.raw.get("webhooks") or {}
    roots.setdefault("webhooks", set()).update(_refs(webhooks, set()))
    return roots


def _unreached_group(name: str) -> str:
    for prefix, module in UNREACHED_PREFIXES:
        if name.startswith(prefix):
            return module
    return "other"


def _module_for(groups: set[str], count: int) -> str:
    if len(groups) == 1:
        return next(iter(groups))
    if not groups:
        return "other"
    if count >= OWN_MODULE_MINIMUM:
        return "shared_" + "_".join(sorted(groups))
    module = SHARED_LEVELS[0][1]
    for minimum, name in SHARED_LEVELS:
        if len(groups) >= minimum:
            module = name
    return module


def definition_modules(
    registry: TypeRegistry, dependencies: Mapping[str, set[str]]
) -> dict[str, str]:
    """Definition name -> module, with mutually importing modules merged."""
    by_schema = schema_groups(registry.spec)
    python_to_schema = {py: schema for schema, py in registry.component_names.items()}
    modules: dict[str, str] = {}
    for name, definition in registry.definitions.items():
        first = definition.origin.split(".")[0]
        schema = first if first in by_schema else python_to_schema.get(first)
        modules[name] = by_schema[schema] if schema else "operations"
    return merge_cycles(modules, dependencies)


def merge_cycles(modules: dict[str, str], dependencies: Mapping[str, set[str]]) -> dict[str, str]:
    """Merge modules that import each other (directly or not) into the first by name."""
    graph: dict[str, set[str]] = {m: set() for m in modules.values()}
    for name, deps in dependencies.items():
        for dep in deps:
            if dep in modules and modules[dep] != modules[name]:
                graph[modules[name]].add(modules[dep])
    merged: dict[str, str] = {}
    for component in strongly_connected(graph):
        target = min(component)
        for module in component:
            merged[module] = target
    return {name: merged[module] for name, module in modules.items()}


def strongly_connected(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; nodes and edges visited in sorted order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                        if top == node:
                            break
                    result.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return result
