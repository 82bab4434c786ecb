"""Conformance corpus: every documented example response of the spec decodes into its
operation's response type and encodes back to the same JSON.

The run prints how many decode without any ``Unknown...`` fallback and how many also pass
strict decoding (about a third of the examples violate the spec's own schemas, so strict
failures are reported, not asserted).
"""

from __future__ import annotations

from typing import Any

import pytest

from openai_proto.models import Model, ModelDriftError, UnknownVariant, structure, unstructure
from tests.generated.spec_support import built, examples, needs_spec, response_schema, type_for

pytestmark = needs_spec


def unknown_variants(value: object) -> list[str]:
    """Class names of the unknown-variant objects anywhere inside a decoded value."""
    found: list[str] = []
    if isinstance(value, UnknownVariant):
        found.append(type(value).__name__)
    if isinstance(value, Model):
        for name in value.fields_set:
            found += unknown_variants(getattr(value, name))
    elif isinstance(value, list):
        for item in value:
            found += unknown_variants(item)
    elif isinstance(value, dict):
        for item in value.values():
            found += unknown_variants(item)
    return found


def cases() -> list[tuple[str, str, Any, Any]]:
    """``(operation id, label, response type, JSON document)`` for every example payload."""
    spec, _, _ = built()
    operations = {(op.method, op.path): op for op in spec.operations()}
    found: list[tuple[str, str, Any, Any]] = []
    for index, record in enumerate(examples()):
        op = operations[(record["method"].upper(), record["path"])]
        label = f"{record['operationId']}#{index}"
        if record["response_json_or_null"] is not None:
            schema = response_schema(op, "application/json")
            if schema is not None:
                tp = type_for(schema, f"{op.operation_id}.response")
                found.append((record["operationId"], label, tp, record["response_json_or_null"]))
        for n, event in enumerate(record["response_events"] or []):
            schema = response_schema(op, "text/event-stream")
            if schema is not None and event.get("data_kind") == "json":
                tp = type_for(schema, f"{op.operation_id}.event")
                found.append((record["operationId"], f"{label}.event{n}", tp, event["data"]))
    return found


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, str, Any, Any]]:
    return cases()


def test_corpus_covers_the_documented_operations(corpus: list[tuple[str, str, Any, Any]]) -> None:
    operations = {operation for operation, _, _, _ in corpus}
    assert len(operations) >= 240  # 252 operations have an example; a few answer with text


def test_every_example_round_trips(
    corpus: list[tuple[str, str, Any, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    failures: list[str] = []
    with_unknown: list[str] = []
    strict_failures = 0
    operations_clean: dict[str, bool] = {}
    for operation, label, tp, document in corpus:
        decoded = structure(document, tp)
        if unstructure(decoded) != document:
            failures.append(label)
        unknown = unknown_variants(decoded)
        if unknown:
            with_unknown.append(f"{label}: {sorted(set(unknown))}")
        operations_clean[operation] = operations_clean.get(operation, True) and not unknown
        try:
            structure(document, tp, strict=True)
        except ModelDriftError:
            strict_failures += 1
    assert failures == []
    clean_ops = sum(operations_clean.values())
    with capsys.disabled():
        print(
            f"\nconformance corpus: {len(corpus)} example payloads of {len(operations_clean)} "
            f"operations round-trip; {len(corpus) - len(with_unknown)} payloads "
            f"({clean_ops} operations) decode without any Unknown... fallback; "
            f"{len(corpus) - strict_failures} also pass strict decoding"
        )
        for line in with_unknown:
            print(f"  fallback used: {line}")


def test_decoded_examples_have_their_operation_type(
    corpus: list[tuple[str, str, Any, Any]],
) -> None:
    mismatched = [
        label
        for _, label, tp, document in corpus
        if isinstance(tp, type)
        and isinstance(document, dict)
        and not isinstance(structure(document, tp), tp)
    ]
    assert mismatched == []
