from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_proto import errors
from openai_proto.http import Request, Response, ResponseHead

REQUEST = Request("POST", "https://api.test/v1/x", (("Authorization", "Bearer sk-secret"),))


def response(status: int, body: bytes, request_id: str | None = "req_1") -> Response:
    headers = (("x-request-id", request_id),) if request_id else ()
    return Response(ResponseHead(status, headers), body)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (422, errors.UnprocessableEntityError),
        (429, errors.RateLimitError),
        (500, errors.InternalServerError),
        (503, errors.InternalServerError),
        (418, errors.APIStatusError),
        (302, errors.APIStatusError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[errors.APIStatusError]) -> None:
    error = errors.status_error(REQUEST, response(status, b""))
    assert type(error) is cls
    assert error.status_code == status
    assert error.request is REQUEST


def test_openai_error_body_is_unpacked() -> None:
    body = {
        "error": {
            "message": "Rate limit reached",
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }
    error = errors.status_error(REQUEST, response(429, json.dumps(body).encode(), "req_42"))
    assert isinstance(error, errors.RateLimitError)
    assert error.code == "rate_limit_exceeded"
    assert error.type == "requests"
    assert error.param is None
    assert error.request_id == "req_42"
    assert error.body == body["error"]
    assert str(error) == (
        "Error code: 429 - rate_limit_exceeded: Rate limit reached (request id: req_42)"
    )


def test_non_json_body_still_gives_typed_error() -> None:
    error = errors.status_error(REQUEST, response(502, b"<html>Bad gateway</html>", None))
    assert isinstance(error, errors.InternalServerError)
    assert error.body == "<html>Bad gateway</html>"
    assert "Bad gateway" in error.message
    assert error.request_id is None


def test_empty_body() -> None:
    error = errors.status_error(REQUEST, response(500, b"", "req_9"))
    assert error.message == "Error code: 500 (request id: req_9)"
    assert error.body is None


def test_messages_never_show_the_key() -> None:
    error = errors.status_error(REQUEST, response(401, b'{"error": {"message": "bad key"}}'))
    assert "sk-secret" not in str(error)
    assert "sk-secret" not in repr(error)
    assert "sk-secret" not in repr(error.request)


def test_protocol_error_is_abstract() -> None:
    with pytest.raises(TypeError):
        errors.ProtocolError("x")
    assert isinstance(errors.RemoteProtocolError("x"), errors.ProtocolError)


def test_timeout_is_a_connection_error() -> None:
    assert isinstance(errors.APITimeoutError(REQUEST), errors.APIConnectionError)
    assert str(errors.APITimeoutError(REQUEST)) == "Request timed out."


def test_finish_reason_errors() -> None:
    class Completion:
        usage = "CompletionUsage(total_tokens=3)"

    assert "total_tokens=3" in str(errors.LengthFinishReasonError(Completion()))
    assert "content filter" in str(errors.ContentFilterFinishReasonError())


@given(st.integers(min_value=300, max_value=599), st.binary(max_size=300))
def test_any_body_gives_a_typed_error(status: int, body: bytes) -> None:
    error = errors.status_error(None, response(status, body))
    assert isinstance(error, errors.APIStatusError)
    assert error.status_code == status
    assert isinstance(error.message, str)
    assert error.message.startswith(f"Error code: {status}")


def test_error_tree_is_drawn_in_docstring() -> None:
    doc = errors.__doc__ or ""
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert name in doc, name
