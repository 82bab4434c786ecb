"""A two-endpoint resource tree written by hand, shaped like the generated one."""

from __future__ import annotations

from typing import Any, Literal

from openai_proto.call import Call
from openai_proto.pages import Page
from openai_proto.resource import M, Resource, endpoint, paged_endpoint, streaming_endpoint
from openai_proto.responses import Stream
from openai_proto.sentinels import UNSET, UnsetType


def _retrieve(file_id: str) -> Call[dict[str, Any]]:
    return Call(method="GET", path="/files/{file_id}", path_params={"file_id": file_id})


def _list(*, limit: int | UnsetType = UNSET) -> Call[Page[dict[str, Any]]]:
    query = {} if limit is UNSET else {"limit": limit}
    return Call(method="GET", path="/files", query=query, pagination="cursor")


def _create(*, model: str, stream: Literal[False] | UnsetType = UNSET) -> Call[dict[str, Any]]:
    return Call(method="POST", path="/chat/completions", body={"model": model}, body_kind="json")


def _create_stream(*, model: str, stream: Literal[True]) -> Call[Stream[dict[str, Any]]]:
    body = {"model": model, "stream": True}
    return Call(
        method="POST",
        path="/chat/completions",
        body=body,
        body_kind="json",
        response_kind="events",
    )


class Files(Resource[M]):
    retrieve = endpoint(_retrieve)
    list = paged_endpoint(_list)


class Completions(Resource[M]):
    create = streaming_endpoint(_create, _create_stream)


class Chat(Resource[M]):
    @property
    def completions(self: Chat[M]) -> Completions[M]:
        return Completions(self._runner)
