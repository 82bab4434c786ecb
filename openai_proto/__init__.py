"""openai_proto: a sans-IO client for the OpenAI HTTP API.

The core builds :class:`Request` values from :class:`Call` values, decodes
:class:`Response` values into results or typed errors, and runs multi-request
logic (retries) as flows; :class:`Client` and :class:`AsyncClient` drive those
flows over a transport supplied by a binding (``openai_proto_httpx``, ...).
Importing this package imports no IO library.
"""

from __future__ import annotations

from openai_proto._version import __version__
from openai_proto.build import build_request
from openai_proto.call import Call, Options, make_options, raw_call
from openai_proto.client import AsyncClient, AsyncRawClient, Client, RawClient
from openai_proto.config import Config
from openai_proto.decode import decode
from openai_proto.errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ContentFilterFinishReasonError,
    InternalServerError,
    InvalidRequestError,
    LengthFinishReasonError,
    LocalProtocolError,
    MissingCredentialsError,
    NotFoundError,
    OpenAIError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitError,
    RemoteProtocolError,
    StreamError,
    UnprocessableEntityError,
)
from openai_proto.generated.resources import Resources
from openai_proto.http import FileSource, Request, Response, ResponseHead, StreamBody, Timeout
from openai_proto.resource import SANS, Sans
from openai_proto.responses import AsyncStreamedResponse, RawResponse, StreamedResponse
from openai_proto.sentinels import OMIT, UNSET
from openai_proto.transport import TransportError, TransportTimeout

#: Every endpoint as a call builder: ``api.files.retrieve("file-1")`` is a :class:`Call`.
api: Resources[Sans] = Resources(SANS)

__all__ = [
    "OMIT",
    "UNSET",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncRawClient",
    "AsyncStreamedResponse",
    "AuthenticationError",
    "BadRequestError",
    "Call",
    "Client",
    "Config",
    "ConflictError",
    "ContentFilterFinishReasonError",
    "FileSource",
    "InternalServerError",
    "InvalidRequestError",
    "LengthFinishReasonError",
    "LocalProtocolError",
    "MissingCredentialsError",
    "NotFoundError",
    "OpenAIError",
    "Options",
    "PermissionDeniedError",
    "ProtocolError",
    "RateLimitError",
    "RawClient",
    "RawResponse",
    "RemoteProtocolError",
    "Request",
    "Response",
    "ResponseHead",
    "StreamBody",
    "StreamError",
    "StreamedResponse",
    "Timeout",
    "TransportError",
    "TransportTimeout",
    "UnprocessableEntityError",
    "__version__",
    "api",
    "build_request",
    "decode",
    "make_options",
    "raw_call",
]
