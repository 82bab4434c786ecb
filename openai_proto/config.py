"""Client configuration: credentials, endpoint, defaults, and the injected clock and RNG.

:class:`Config` is an immutable value.  :meth:`Config.from_env` fills what the
caller did not give from the environment (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``,
``OPENAI_ORG_ID``, ``OPENAI_PROJECT_ID``, ``OPENAI_WEBHOOK_SECRET``), and
:meth:`Config.with_options` derives a copy with overrides.  Secrets never appear
in its ``repr``.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Union

import attrs

from openai_proto.errors import InvalidRequestError, MissingCredentialsError
from openai_proto.http import Timeout
from openai_proto.sentinels import OMIT, UNSET, OmitType, UnsetType

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT = Timeout(connect=5.0, read=600.0, write=600.0, pool=600.0)
DEFAULT_MAX_RETRIES = 2

#: A key provider is called before every attempt, so rotated keys are picked up.
KeyProvider = Union[Callable[[], str], Callable[[], Awaitable[str]]]

HeaderValue = Union[str, OmitType]

ENV_VARS = {
    "api_key": "OPENAI_API_KEY",
    "base_url": "OPENAI_BASE_URL",
    "organization": "OPENAI_ORG_ID",
    "project": "OPENAI_PROJECT_ID",
    "webhook_secret": "OPENAI_WEBHOOK_SECRET",
}


def _secret_repr(value: object) -> str:
    return "None" if value is None else "'<redacted>'"


def _normalize_base_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _check_retries(_instance: object, _attribute: object, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidRequestError(
            "max_retries must be a non-negative integer; pass 0 to disable retries"
        )


def _to_timeout(value: float | Timeout | None) -> Timeout:
    return Timeout.of(value)


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return dict(value or {})


@attrs.frozen(kw_only=True)
class Config:
    """Everything a request needs besides the call itself.

    ``api_key`` is a string or a provider (sync or async) called on every attempt.
    ``clock`` returns the current time in seconds since the epoch and ``random``
    returns floats in ``[0, 1)``; both are injected so retries are testable.
    """

    api_key: str | KeyProvider | None = attrs.field(default=None, repr=_secret_repr)
    base_url: str = attrs.field(default=DEFAULT_BASE_URL, converter=_normalize_base_url)
    organization: str | None = None
    project: str | None = None
    webhook_secret: str | None = attrs.field(default=None, repr=_secret_repr)
    default_headers: Mapping[str, HeaderValue] = attrs.field(
        factory=dict, converter=_frozen_mapping
    )
    default_query: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen_mapping)
    timeout: Timeout = attrs.field(default=DEFAULT_TIMEOUT, converter=_to_timeout)
    max_retries: int = attrs.field(default=DEFAULT_MAX_RETRIES, validator=_check_retries)
    clock: Callable[[], float] = attrs.field(default=time.time, repr=False)
    random: Callable[[], float] = attrs.field(default=random.random, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **given: Any) -> Config:
        """A config from ``given`` arguments, with the environment filling the rest.

        Raises :class:`MissingCredentialsError` when neither ``api_key`` nor
        ``OPENAI_API_KEY`` is set.
        """
        env = os.environ if environ is None else environ
        values = {name: value for name, value in given.items() if value is not None}
        for name, variable in ENV_VARS.items():
            if name not in values and env.get(variable):
                values[name] = env[variable]
        if "api_key" not in values:
            raise MissingCredentialsError(
                "Missing credentials: pass api_key=... or set the OPENAI_API_KEY "
                "environment variable."
            )
        return cls(**values)

    @property
    def key_provider(self) -> KeyProvider | None:
        """The callable that supplies the key, when the key is not a plain string."""
        return None if self.api_key is None or isinstance(self.api_key, str) else self.api_key

    def with_options(
        self,
        *,
        default_headers: Mapping[str, HeaderValue] | None = None,
        default_query: Mapping[str, object] | None = None,
        **changes: Any,
    ) -> Config:
        """A copy with ``changes``; headers and query are merged over the current ones."""
        if default_headers is not None:
            changes["default_headers"] = {**self.default_headers, **default_headers}
        if default_query is not None:
            changes["default_query"] = {**self.default_query, **default_query}
        return attrs.evolve(self, **changes)


def resolve_timeout(value: float | Timeout | UnsetType | None, default: Timeout) -> Timeout:
    """UNSET keeps ``default``; ``None`` disables every timeout; a number applies to all."""
    return default if value is UNSET else Timeout.of(value)


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ENV_VARS",
    "OMIT",
    "Config",
    "HeaderValue",
    "KeyProvider",
    "resolve_timeout",
]
