from __future__ import annotations

import pytest

from openai_proto import Config, InvalidRequestError, MissingCredentialsError, Timeout
from openai_proto.config import DEFAULT_TIMEOUT

ENV = {
    "OPENAI_API_KEY": "sk-env-secret",
    "OPENAI_BASE_URL": "http://127.0.0.1:1/v1",
    "OPENAI_ORG_ID": "org-env",
    "OPENAI_PROJECT_ID": "proj-env",
    "OPENAI_WEBHOOK_SECRET": "whsec_env-secret",
}


def test_from_env_reads_every_variable() -> None:
    config = Config.from_env(ENV)
    assert config.api_key == "sk-env-secret"
    assert config.base_url == "http://127.0.0.1:1/v1/"
    assert config.organization == "org-env"
    assert config.project == "proj-env"
    assert config.webhook_secret == "whsec_env-secret"


def test_arguments_win_over_environment() -> None:
    config = Config.from_env(ENV, api_key="sk-arg", organization="org-arg")
    assert config.api_key == "sk-arg"
    assert config.organization == "org-arg"
    assert config.project == "proj-env"


def test_missing_key_names_the_variable() -> None:
    with pytest.raises(MissingCredentialsError, match="OPENAI_API_KEY"):
        Config.from_env({})


def test_key_provider_counts_as_credentials() -> None:
    config = Config.from_env({}, api_key=lambda: "sk-provided")
    assert config.key_provider is not None
    assert config.key_provider() == "sk-provided"


def test_defaults() -> None:
    config = Config(api_key="k")
    assert config.timeout == DEFAULT_TIMEOUT == Timeout(5.0, 600.0, 600.0, 600.0)
    assert config.max_retries == 2
    assert config.base_url == "https://api.openai.com/v1/"


def test_repr_hides_secrets() -> None:
    config = Config.from_env(ENV)
    text = repr(config)
    assert "sk-env-secret" not in text
    assert "whsec_env-secret" not in text
    assert "org-env" in text


def test_with_options_merges_headers_and_overrides() -> None:
    config = Config(api_key="k", default_headers={"A": "1"}, max_retries=5)
    changed = config.with_options(default_headers={"B": "2"}, max_retries=0, timeout=2.5)
    assert changed.default_headers == {"A": "1", "B": "2"}
    assert changed.max_retries == 0
    assert changed.timeout == Timeout.of(2.5)
    assert config.max_retries == 5


@pytest.mark.parametrize("bad", [-1, None, 1.5, True])
def test_max_retries_must_be_a_count(bad: object) -> None:
    with pytest.raises(InvalidRequestError, match="max_retries"):
        Config(api_key="k", max_retries=bad)  # type: ignore[arg-type]
