"""Hand-written methods of the generated resource tree: the helper mixins.

The code generator gives some resource classes a mixin from this package as their first
base (the table is ``codegen.helpers.MIXINS``)::

    class ChatCompletions(ChatCompletionsHelpers[M], Resource[M]):    # generated
        create = streaming_endpoint(...)

    class ChatCompletionsHelpers(Resource[M]):                        # chat_completions.py
        def stream(self, ...): ...

One module per resource; one method per helper. A helper method:

- takes the endpoint's parameters as ``**params: Unpack[XParams]``, a ``TypedDict`` the
  generator writes from the same spec as the builder (table ``codegen.helpers.PARAMS``,
  emitted under ``if TYPE_CHECKING:`` in the endpoint's resource module), plus the
  parameters it declares itself (``event_handler``, a wider ``response_format``, ...);
- builds its request with the endpoint's generated builder, imported inside the method
  (the generated module imports this package, so not at the top);
- is typed per mode with self-type overloads — ``self: X[Sans]``,
  ``self: X[Sync] | X[SyncRaw]``, ``self: X[Async] | X[AsyncRaw]`` — and looks at the
  mode at run time with :func:`~openai_proto.helpers._modes.kind_of`.

| resource | mixin | methods |
|---|---|---|
| ``chat.completions`` | :class:`ChatCompletionsHelpers` | ``parse``, ``stream``, ``run_tools`` |
| ``responses`` | :class:`ResponsesHelpers` | ``parse``, ``stream`` |
| ``beta.threads`` | :class:`ThreadsHelpers` | ``create_and_run_stream`` |
| ``beta.threads.runs`` | :class:`RunsHelpers` | ``stream``, ``submit_tool_outputs_stream`` |

On ``openai_proto.api`` the stream helpers give a :class:`StreamPlan`: the call, and a
maker of the pure state that folds its events.
"""

from __future__ import annotations

from openai_proto.helpers._modes import StreamPlan

__all__ = ["StreamPlan"]
