"""The public import point of the API's types: ``from openai_proto.types import ChatCompletion``.

Every generated model, union and enum alias (``openai_proto.generated.models``) and the
familiar names of the official client (``openai_proto.generated.familiar``: ``FileObject``,
``Assistant``, ``ChatCompletionChunk``, ...) are available here.  Nothing is imported until
a name is first used, and then only the module that defines it and the ones it needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openai_proto.generated.familiar import *  # noqa: F403
    from openai_proto.generated.models import *  # noqa: F403


def __getattr__(name: str) -> Any:
    from openai_proto.generated import familiar, models

    if name in familiar.FAMILIAR:
        value = getattr(familiar, name)
    elif name in models.INDEX:
        value = getattr(models, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    from openai_proto.generated import familiar, models

    return sorted({*familiar.FAMILIAR, *models.INDEX})
