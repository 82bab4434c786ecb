"""Encoders: one function generated (``exec``) per model class on first use.

UNSET fields are left out; the others are written in declaration order, then the unknown
keys.  A value whose class is the one its annotation expects is written directly (a
``str`` field holding a ``str``); anything else goes through ``dump_value``, which handles
models, containers and enums wherever they are.  Lists and maps of scalars are copied
shallowly, so the dict returned never shares a container with the model at its top level.
"""

from __future__ import annotations

from typing import Any

from openai_proto._models.core import DUMPERS, Loader, Model, dump_value
from openai_proto._models.shapes import KEEP_AS_IS, Kind, Shape, model_info
from openai_proto.sentinels import UNSET

_EXACT_CLASS: dict[Kind, type] = {Kind.STR: str, Kind.INT: int, Kind.FLOAT: float, Kind.BOOL: bool}


def model_dumper(cls: type[Model]) -> Loader:
    """The encoder of a model class (cached in ``DUMPERS``)."""
    dumper = DUMPERS.get(cls)
    if dumper is None:
        dumper = _compile(cls)
        DUMPERS[cls] = dumper
    return dumper


def _compile(cls: type[Model]) -> Loader:
    info = model_info(cls)
    names: dict[str, Any] = {"UNSET": UNSET, "dump": dump_value}
    lines = ["def dump_model(o):", "    r = {}"]
    for field in info.fields:
        lines.append(f"    v = o.{field.name}")
        lines.append("    if v is not UNSET:")
        lines.append(f"        r[{field.key!r}] = {_expression(field.shape)}")
    lines += ["    extra = o._extra", "    if extra:", "        for k, x in extra.items():"]
    lines += ["            if k not in r: r[k] = dump(x)", "    return r"]
    code = compile("\n".join(lines), f"<openai_proto dump {cls.__qualname__}>", "exec")
    exec(code, names)
    dumper: Loader = names["dump_model"]
    return dumper


def _expression(shape: Shape) -> str:
    """How to encode ``v``, a value of a field of this shape."""
    exact = _scalar_class(shape)
    if exact is not None:
        none = " or v is None" if shape.nullable else ""
        return f"v if v.__class__ is {exact.__name__}{none} else dump(v)"
    if shape.kind is Kind.LIST:
        if shape.items[0].kind in KEEP_AS_IS:
            return "list(v) if v.__class__ is list else dump(v)"
        return "[dump(x) for x in v] if v.__class__ is list else dump(v)"
    if shape.kind is Kind.MAP:
        if shape.items[0].kind in KEEP_AS_IS:
            return "dict(v) if v.__class__ is dict else dump(v)"
        return "{k: dump(x) for k, x in v.items()} if v.__class__ is dict else dump(v)"
    return "dump(v)"


def _scalar_class(shape: Shape) -> type | None:
    if shape.kind in _EXACT_CLASS:
        return _EXACT_CLASS[shape.kind]
    if shape.kind is Kind.LITERAL:
        classes = {type(value) for value in shape.values}
        if len(classes) == 1 and (only := classes.pop()) in (str, int, bool):
            return only
    return None
