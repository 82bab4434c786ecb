"""The README's demo runs and shows what it promises."""

from __future__ import annotations

import pytest

from openai_proto_httpx import demo


def test_demo_runs(capsys: pytest.CaptureFixture[str]) -> None:
    demo.main()
    out = capsys.readouterr().out
    assert "plain:    'Hello! How can I help you today?'" in out
    assert "status 200, request id req_1" in out
    assert "data: [DONE]" in out
    assert "sans-IO:  POST http://127.0.0.1:" in out
    assert "'Hello', '!', ' How'" in out
    assert "final: 'Hello! How can I help you today?'" in out
