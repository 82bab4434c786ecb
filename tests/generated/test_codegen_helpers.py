"""Where hand-written helpers join the generated tree: mixin bases and parameter TypedDicts."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from codegen.builders import builder_name
from codegen.endpoints import class_name
from codegen.helpers import MIXINS, PARAMS, params_in, render_params
from codegen.operations import Endpoint, EndpointError, Param

RESOURCES = Path(__file__).resolve().parents[2] / "openai_proto" / "generated" / "resources"


@pytest.mark.parametrize("resource", sorted(MIXINS))
def test_each_mixin_is_the_first_base_of_its_resource_class(resource: str) -> None:
    module_name, mixin = MIXINS[resource]
    top = resource.split(".", 1)[0]
    generated = importlib.import_module(f"openai_proto.generated.resources.{top}")
    cls = getattr(generated, class_name(resource))
    first = cls.__mro__[1]
    assert (first.__module__, first.__name__) == (module_name, mixin)


def typed_dict_keys(top: str, name: str) -> list[str]:
    """The keys of a generated TypedDict, read from the module's source."""
    tree = ast.parse((RESOURCES / f"{top}.py").read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == name:
            return [
                item.target.id
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            ]
    raise AssertionError(f"{name} is not in resources/{top}.py")


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_each_params_typeddict_has_the_builders_keyword_parameters(name: str) -> None:
    dotted, left_out = PARAMS[name]
    resource, method = dotted.rsplit(".", 1)
    top = resource.split(".", 1)[0]
    generated = importlib.import_module(f"openai_proto.generated.resources.{top}")
    builder = getattr(generated, f"_{resource.replace('.', '_')}_{method}_stream")
    keyword_only = [
        p.name
        for p in inspect.signature(builder).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in left_out
    ]
    assert typed_dict_keys(top, name) == keyword_only


def endpoint(resource: str, name: str, *params: Param) -> Endpoint:
    return Endpoint(
        operation_id="op",
        method="POST",
        path="/x",
        resource=resource,
        name=name,
        mapped=True,
        params=params,
        body_kind="json",
        response_kind="json",
        result="Any",
        pagination=None,
        stream_event=None,
        beta=None,
        accept=None,
        link=None,
    )


def test_params_name_a_missing_endpoint_or_parameter_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import codegen.helpers

    x = Param("x", "x", "body", "int", required=True)
    monkeypatch.setattr(codegen.helpers, "PARAMS", {"P": ("chat.completions.make", ())})
    with pytest.raises(EndpointError, match=r"no endpoint chat\.completions\.make"):
        params_in("chat", [endpoint("chat.completions", "create", x)])
    monkeypatch.setattr(codegen.helpers, "PARAMS", {"P": ("chat.completions.create", ("y",))})
    with pytest.raises(EndpointError, match=r"has no \['y'\]"):
        params_in("chat", [endpoint("chat.completions", "create", x)])


def test_rendered_typeddict_marks_required_keys_and_leaves_out_positional_ones() -> None:
    params = (
        Param("thread_id", "thread_id", "path", "str", required=True, positional=True),
        Param("assistant_id", "assistant_id", "body", "str", required=True),
        Param("n", "n", "body", "int | None", required=False),
        Param("stream", "stream", "body", "bool", required=False),
    )
    text = render_params("RunsParams", endpoint("beta.threads.runs", "create", *params), {"stream"})
    lines = [line.strip() for line in text.splitlines()]
    assert "class RunsParams(TypedDict, total=False):" in lines
    assert "assistant_id: Required[str]" in lines
    assert "n: int | UnsetType | None" in lines
    assert not any(line.startswith(("thread_id", "stream:")) for line in lines)
    assert "max_retries: int | UnsetType" in lines
    assert builder_name(endpoint("beta.threads.runs", "create"), True) == (
        "_beta_threads_runs_create_stream"
    )
