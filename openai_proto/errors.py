"""Every exception openai_proto raises, in one tree::

    OpenAIError
    ├── APIError                      the API said no, or could not be reached
    │   ├── APIStatusError            a non-2xx answer: status_code, request_id, response
    │   │   ├── BadRequestError             400
    │   │   ├── AuthenticationError         401
    │   │   ├── PermissionDeniedError       403
    │   │   ├── NotFoundError               404
    │   │   ├── ConflictError               409
    │   │   ├── UnprocessableEntityError    422
    │   │   ├── RateLimitError              429
    │   │   └── InternalServerError         >= 500
    │   ├── APIConnectionError        the transport failed (after retries)
    │   │   └── APITimeoutError       a timeout expired (after retries)
    │   ├── APIResponseValidationError  a 2xx body that is not what the call expects
    │   └── StreamError               an error event inside a stream (code, message)
    ├── ProtocolError                 bytes or events that break a protocol (never raised directly)
    │   ├── LocalProtocolError        the caller broke it (fed a closed decoder, ...)
    │   └── RemoteProtocolError       the peer broke it (invalid UTF-8, a line over the limit, ...)
    ├── InvalidRequestError           a call that cannot be built (empty id, CR in a header, NaN)
    ├── MissingCredentialsError       no API key, and no OPENAI_API_KEY
    ├── LengthFinishReasonError       parsing asked for, but the model hit the length limit
    ├── ContentFilterFinishReasonError  parsing asked for, but the content filter stopped the model
    ├── SchemaError                   a type that has no strict JSON schema (path names the field)
    └── ContentParseError             model output that is not JSON of the asked type (holds raw)

Errors hold openai_proto's own :class:`~openai_proto.http.Request` and
:class:`~openai_proto.http.Response` values, never a transport library's objects.
The transport exceptions (:mod:`openai_proto.transport`) are the binding's to raise;
the drivers turn them into :class:`APIConnectionError` / :class:`APITimeoutError`.
No message or ``repr`` here includes a header value, so no key can leak through them.
"""

from __future__ import annotations

import json
from typing import Any

from openai_proto.http import Request, Response


class OpenAIError(Exception):
    """Base of every error raised by openai_proto."""


class APIError(OpenAIError):
    """An error reported by (or on the way to) the API.

    ``body`` is the decoded JSON error object when there is one (the value of the
    ``error`` key when the body has one), else the body text, else ``None``.
    """

    message: str
    request: Request | None
    body: object
    code: str | None
    param: str | None
    type: str | None

    def __init__(
        self, message: str, request: Request | None = None, *, body: object = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body
        fields = body if isinstance(body, dict) else {}
        self.code = _text_or_none(fields.get("code"))
        self.param = _text_or_none(fields.get("param"))
        self.type = _text_or_none(fields.get("type"))

    def __str__(self) -> str:
        return self.message


class APIStatusError(APIError):
    """The API answered with a status that is not 2xx."""

    response: Response
    status_code: int
    request_id: str | None

    def __init__(
        self,
        message: str,
        request: Request | None = None,
        *,
        response: Response,
        body: object = None,
    ) -> None:
        super().__init__(message, request, body=body)
        self.response = response
        self.status_code = response.status
        self.request_id = response.request_id


class BadRequestError(APIStatusError):
    """400."""


class AuthenticationError(APIStatusError):
    """401."""


class PermissionDeniedError(APIStatusError):
    """403."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429."""


class InternalServerError(APIStatusError):
    """Any status of 500 or more."""


class APIConnectionError(APIError):
    """The request could not be completed by the transport."""

    def __init__(self, request: Request | None = None, message: str = "Connection error.") -> None:
        super().__init__(message, request)


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout expired."""

    def __init__(self, request: Request | None = None, message: str = "Request timed out.") -> None:
        super().__init__(request, message)


class APIResponseValidationError(APIError):
    """A successful response whose body cannot be what the call expects."""

    response: Response
    status_code: int

    def __init__(
        self,
        message: str,
        request: Request | None = None,
        *,
        response: Response,
        body: object = None,
    ) -> None:
        super().__init__(message, request, body=body)
        self.response = response
        self.status_code = response.status


class StreamError(APIError):
    """An ``error`` event inside an event stream."""


class ProtocolError(OpenAIError):
    """Bytes or events that break a protocol; see the two subclasses."""

    def __init__(self, message: str) -> None:
        if type(self) is ProtocolError:
            raise TypeError("raise LocalProtocolError or RemoteProtocolError, not ProtocolError")
        super().__init__(message)


class LocalProtocolError(ProtocolError):
    """The caller used a parser or accumulator in a way its state does not allow."""


class RemoteProtocolError(ProtocolError):
    """The peer sent something that breaks the protocol."""


class InvalidRequestError(OpenAIError, ValueError):
    """A call that cannot be turned into a valid request."""


class MissingCredentialsError(OpenAIError):
    """No API key was given and none was found in the environment."""


class LengthFinishReasonError(OpenAIError):
    """A response could not be parsed because the model reached its length limit."""

    def __init__(self, completion: Any = None) -> None:
        message = "Could not parse response content as the length limit was reached"
        if isinstance(completion, dict):
            usage = completion.get("usage")
        else:
            usage = getattr(completion, "usage", None)
        if usage is not None:
            message += f" - {usage}"
        super().__init__(message)
        self.completion = completion


class ContentFilterFinishReasonError(OpenAIError):
    """A response could not be parsed because the content filter stopped the model."""

    def __init__(self, completion: Any = None) -> None:
        super().__init__(
            "Could not parse response content as the request was rejected by the content filter"
        )
        self.completion = completion


class SchemaError(OpenAIError, TypeError):
    """A type that cannot be turned into a strict JSON schema, or a schema that breaks the
    API's strict-mode rules; ``path`` names the field (``Query.conditions[].value``)."""

    def __init__(self, problem: str, path: str = "") -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.problem = problem
        self.path = path


class ContentParseError(OpenAIError, ValueError):
    """Model output (content, or tool-call arguments) that is not valid JSON, or not of the
    asked type. ``raw`` holds what was received (the text, or the decoded JSON value when
    no text was at hand), ``path`` where it went wrong (``steps[2].output``; ``""`` for the
    whole value), ``problem`` what."""

    def __init__(self, problem: str, raw: Any, path: str = "") -> None:
        where = f" at {path}" if path else ""
        super().__init__(f"could not parse the model output{where}: {problem}")
        self.problem = problem
        self.raw = raw
        self.path = path


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """The exception class for an HTTP status that is not 2xx."""
    if status >= 500:
        return InternalServerError
    return STATUS_ERRORS.get(status, APIStatusError)


def status_error(request: Request | None, response: Response) -> APIStatusError:
    """The typed error for a non-2xx response; never fails, whatever the body holds."""
    body = _error_body(response.body)
    cls = status_error_class(response.status)
    return cls(_status_message(response, body), request, response=response, body=body)


def _error_body(raw: bytes) -> object:
    text = raw.decode("utf-8", "replace").strip()
    if not text:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    if isinstance(parsed, dict) and "error" in parsed:
        return parsed["error"]
    return parsed


def _status_message(response: Response, body: object) -> str:
    parts = [f"Error code: {response.status}"]
    if isinstance(body, dict):
        detail = _text_or_none(body.get("message")) or json.dumps(body, ensure_ascii=False)
        code = _text_or_none(body.get("code")) or _text_or_none(body.get("type"))
        parts.append(f"{code}: {detail}" if code else detail)
    elif isinstance(body, str):
        parts.append(body[:2000])
    elif body is not None:
        parts.append(json.dumps(body, ensure_ascii=False)[:2000])
    message = " - ".join(parts)
    if response.request_id:
        message += f" (request id: {response.request_id})"
    return message


def _text_or_none(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ContentFilterFinishReasonError",
    "ContentParseError",
    "InternalServerError",
    "InvalidRequestError",
    "LengthFinishReasonError",
    "LocalProtocolError",
    "MissingCredentialsError",
    "NotFoundError",
    "OpenAIError",
    "PermissionDeniedError",
    "ProtocolError",
    "RateLimitError",
    "RemoteProtocolError",
    "SchemaError",
    "StreamError",
    "STATUS_ERRORS",
    "UnprocessableEntityError",
    "status_error",
    "status_error_class",
]
