"""Where hand-written helpers join the generated resource tree.

Two tables, both read by :mod:`codegen.endpoints`:

:data:`MIXINS` — resource path -> ``(module, class)`` of a hand-written mixin in
``openai_proto.helpers`` that the generated resource class takes as its first base::

    class ChatCompletions(ChatCompletionsHelpers[M], Resource[M]):

The mixin holds the helper methods (``stream()``, ``parse()``, ...), each typed per
mode with self-type overloads, exactly as the generated descriptors are.

:data:`PARAMS` — ``TypedDict`` classes of an endpoint's keyword parameters (its builder's
keyword-only parameters and the request options), for helper methods that take them as
``**params: Unpack[...]``. Each entry names the endpoint and the parameters left out: the
helper declares those itself, with its own types (``response_format`` may become a class,
``stream`` is implied). They are emitted in the endpoint's resource module under
``if TYPE_CHECKING:``, so they cost nothing at run time; mypy checks that a helper passing
``**params`` to the endpoint's builder agrees with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from codegen.builders import OPTION_PARAMS, optional
from codegen.operations import Endpoint, EndpointError

MIXINS: Mapping[str, tuple[str, str]] = {
    "beta.threads": ("openai_proto.helpers.threads", "ThreadsHelpers"),
    "beta.threads.runs": ("openai_proto.helpers.runs", "RunsHelpers"),
    "chat.completions": ("openai_proto.helpers.chat_completions", "ChatCompletionsHelpers"),
    "responses": ("openai_proto.helpers.responses", "ResponsesHelpers"),
}

#: TypedDict name -> (endpoint's dotted name, parameters left out).
PARAMS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "ChatCompletionsParseParams": (
        "chat.completions.create",
        ("stream", "response_format", "tools"),
    ),
    "ResponsesStreamParams": ("responses.create", ("stream",)),
    "ResponsesResumeParams": ("responses.retrieve", ("stream", "starting_after")),
    "ResponsesParseParams": ("responses.create", ("stream", "tools")),
    "RunsStreamParams": ("beta.threads.runs.create", ("stream",)),
    "RunsSubmitToolOutputsStreamParams": ("beta.threads.runs.submit_tool_outputs", ("stream",)),
    "ThreadsCreateAndRunStreamParams": ("beta.threads.create_and_run", ("stream",)),
}

INDENT = "    "


def mixin_of(resource: str) -> str | None:
    """The mixin class a resource class takes as a base, if any."""
    entry = MIXINS.get(resource)
    return None if entry is None else entry[1]


def mixin_imports() -> tuple[tuple[str, tuple[str, ...], bool], ...]:
    """The mixins as entries of :data:`codegen.endpoints.IMPORTS` (needed at run time)."""
    return tuple((module, (name,), True) for module, name in sorted(MIXINS.values()))


def params_in(top: str, endpoints: Iterable[Endpoint]) -> list[tuple[str, Endpoint, set[str]]]:
    """The PARAMS entries whose endpoint lives in the module of ``top``, in name order."""
    by_name = {e.dotted: e for e in endpoints}
    found = []
    for name, (dotted, left_out) in sorted(PARAMS.items()):
        if dotted.split(".", 1)[0] != top:
            continue
        endpoint = by_name.get(dotted)
        if endpoint is None:
            raise EndpointError(f"helper parameters {name}: no endpoint {dotted}")
        unknown = set(left_out) - {p.name for p in endpoint.params}
        if unknown:
            raise EndpointError(f"helper parameters {name}: {dotted} has no {sorted(unknown)}")
        found.append((name, endpoint, set(left_out)))
    return found


def render_params(name: str, endpoint: Endpoint, left_out: set[str]) -> str:
    """One TypedDict (indented for an ``if TYPE_CHECKING:`` block)."""
    missing = ", ".join(f"``{n}``" for n in sorted(left_out)) or "none"
    lines = [
        f"class {name}(TypedDict, total=False):",
        f'{INDENT}"""Keyword parameters of ``{endpoint.dotted}``.',
        "",
        f"{INDENT}Left out (the helper declares them): {missing}.",
        f'{INDENT}"""',
        "",
    ]
    for param in endpoint.params:
        if param.positional or param.name in left_out:
            continue
        value = f"Required[{param.annotation}]" if param.required else optional(param.annotation)
        lines.append(f"{INDENT}{param.name}: {value}")
    for option in OPTION_PARAMS:
        lines.append(INDENT + option.split(" = ", 1)[0])
    return "\n".join(INDENT + line if line else "" for line in lines)


def render_params_block(entries: list[tuple[str, Endpoint, set[str]]]) -> str | None:
    """The ``if TYPE_CHECKING:`` block holding a module's TypedDicts (``None`` if none)."""
    if not entries:
        return None
    classes = "\n\n".join(render_params(*entry) for entry in entries)
    return "if TYPE_CHECKING:\n\n" + classes + "\n"
