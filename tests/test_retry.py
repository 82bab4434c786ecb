from __future__ import annotations

from email.utils import formatdate

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_proto import retry
from openai_proto.http import ResponseHead

NOW = 1_700_000_000.0
rand = st.floats(min_value=0.0, max_value=1.0, exclude_max=True)


def head(status: int, *headers: tuple[str, str]) -> ResponseHead:
    return ResponseHead(status, tuple(headers))


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 599])
def test_retryable_statuses(status: int) -> None:
    assert retry.is_retryable_status(head(status))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 301])
def test_non_retryable_statuses(status: int) -> None:
    assert not retry.is_retryable_status(head(status))


def test_should_retry_header_overrides_status() -> None:
    assert retry.is_retryable_status(head(400, ("x-should-retry", "true")))
    assert not retry.is_retryable_status(head(500, ("x-should-retry", "false")))
    assert retry.is_retryable_status(head(500, ("x-should-retry", "maybe")))


def test_retry_after_forms() -> None:
    assert retry.retry_after(head(429, ("retry-after-ms", "250")), NOW) == 0.25
    assert retry.retry_after(head(429, ("retry-after", "1.5")), NOW) == 1.5
    date = formatdate(NOW + 30, usegmt=True)
    assert retry.retry_after(head(429, ("retry-after", date)), NOW) == pytest.approx(30, abs=1)
    assert retry.retry_after(head(429, ("retry-after", "soon")), NOW) is None
    assert retry.retry_after(head(429, ("retry-after", "nan")), NOW) is None
    assert retry.retry_after(head(429), NOW) is None


def test_ms_header_wins() -> None:
    both = head(429, ("retry-after", "9"), ("retry-after-ms", "100"))
    assert retry.retry_after(both, NOW) == 0.1


def test_server_delay_is_honoured_exactly() -> None:
    assert retry.decide(head(429, ("retry-after", "0.05")), 0, 2, 0.9, NOW) == 0.05


def test_server_delay_over_the_cap_is_not_retried() -> None:
    assert retry.decide(head(429, ("retry-after-ms", "120000")), 0, 2, 0.5, NOW) == 120.0
    assert retry.decide(head(429, ("retry-after-ms", "120001")), 0, 2, 0.5, NOW) is None
    assert retry.decide(head(429, ("retry-after", "121")), 0, 2, 0.5, NOW) is None


@pytest.mark.parametrize("value", ["0", "-3", "inf", "junk"])
def test_useless_server_delays_fall_back_to_backoff(value: str) -> None:
    delay = retry.decide(head(503, ("retry-after", value)), 1, 2, 0.0, NOW)
    assert delay == retry.backoff(1, 0.0) == 1.0


def test_no_retry_when_attempts_are_used_up() -> None:
    assert retry.decide(head(500), 2, 2, 0.5, NOW) is None
    assert retry.decide(None, 2, 2, 0.5, NOW) is None
    assert retry.decide(head(500), 0, 0, 0.5, NOW) is None


def test_transport_failures_are_retried_with_backoff() -> None:
    assert retry.decide(None, 0, 2, 0.0, NOW) == 0.5


@given(st.integers(min_value=0, max_value=10_000), rand)
def test_backoff_bounds(retries: int, r: float) -> None:
    delay = retry.backoff(retries, r)
    ceiling = min(retry.INITIAL_DELAY * 2.0 ** min(retries, 32), retry.MAX_DELAY)
    assert 0.75 * ceiling <= delay <= ceiling


@given(st.integers(min_value=0, max_value=50), rand)
def test_backoff_never_shrinks_at_its_ceiling(retries: int, r: float) -> None:
    assert retry.backoff(retries + 1, r) >= retry.backoff(retries, r)


@given(
    st.integers(min_value=100, max_value=599),
    st.one_of(st.none(), st.text(max_size=20)),
    st.one_of(st.none(), st.text(max_size=20)),
    st.integers(min_value=0, max_value=5),
    st.integers(min_value=0, max_value=5),
    rand,
)
def test_decide_is_total_and_bounded(
    status: int,
    retry_after: str | None,
    should: str | None,
    taken: int,
    limit: int,
    r: float,
) -> None:
    headers = [(k, v) for k, v in (("retry-after", retry_after), ("x-should-retry", should)) if v]
    delay = retry.decide(head(status, *headers), taken, limit, r, NOW)
    if taken >= limit:
        assert delay is None
    if delay is not None:
        assert 0 < delay <= retry.MAX_RETRY_AFTER
