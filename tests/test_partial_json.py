"""Incremental partial JSON: the rules of the partial value, errors, the table, properties."""

from __future__ import annotations

import copy
import doctest
import functools
import itertools
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import openai_proto.streams.partial_json
from fuzz.partial_json_target import (
    check_against_json_loads,
    fuzz_partial_json,
    has_repeated_keys,
    is_prefix_of,
    run,
)
from openai_proto.errors import LocalProtocolError, RemoteProtocolError
from openai_proto.sentinels import UNSET
from openai_proto.streams.partial_json import (
    AFTER_VALUE_TARGETS,
    EXPECTED,
    PARTIAL_JSON_TRANSITIONS,
    JSONInput,
    PartialJSON,
    PartialJSONState,
    classify,
    parse_partial,
    state_diagram,
)

S = PartialJSONState


def fed(*chunks: str, trailing_strings: bool = True) -> PartialJSON:
    parser = PartialJSON(trailing_strings=trailing_strings)
    for chunk in chunks:
        parser.feed(chunk)
    return parser


def failure(step: Callable[[], object]) -> str:
    """How a step ended: ``ok``, ``local``, or ``remote: <message>``."""
    try:
        step()
    except LocalProtocolError:
        return "local"
    except RemoteProtocolError as exc:
        return f"remote: {exc}"
    return "ok"


# -- the partial value, rule by rule ------------------------------------------------------

PREFIXES: list[tuple[str, Any, Any]] = [
    # (text so far, value with trailing strings, value without)
    ("", UNSET, UNSET),
    ("  \n", UNSET, UNSET),
    ("{", {}, {}),
    ('{"ti', {}, {}),
    ('{"title"', {}, {}),
    ('{"title":', {}, {}),
    ('{"title": ', {}, {}),
    ('{"title": "', {"title": ""}, {}),
    ('{"title": "Str', {"title": "Str"}, {}),
    ('{"title": "Str"', {"title": "Str"}, {"title": "Str"}),
    ('{"a": [', {"a": []}, {"a": []}),
    ('{"a": [{', {"a": [{}]}, {"a": [{}]}),
    ('{"a": [1', {"a": []}, {"a": []}),
    ('{"a": [12', {"a": []}, {"a": []}),
    ('{"a": [12,', {"a": [12]}, {"a": [12]}),
    ('{"a": [12 ', {"a": [12]}, {"a": [12]}),
    ('{"a": [12]', {"a": [12]}, {"a": [12]}),
    ('{"a": [-', {"a": []}, {"a": []}),
    ('{"a": [1.', {"a": []}, {"a": []}),
    ('{"a": [1.5e', {"a": []}, {"a": []}),
    ('{"a": [1.5e-3}', None, None),  # invalid: tested below
    ('{"a": tru', {}, {}),
    ('{"a": true', {"a": True}, {"a": True}),
    ('{"a": nul', {}, {}),
    ('{"a": null', {"a": None}, {"a": None}),
    ('{"a": false, "b', {"a": False}, {"a": False}),
    ('{"a": false, "b":', {"a": False}, {"a": False}),
    ('{"a": false, "b": "x', {"a": False, "b": "x"}, {"a": False}),
    ('["a", "b', ["a", "b"], ["a"]),
    ('"top', "top", UNSET),
    ('"top"', "top", "top"),
    ("12", UNSET, UNSET),
    ("12 ", 12, 12),
    ("-0.5e+2 ", -50.0, -50.0),
    ("nul", UNSET, UNSET),
    ("null", None, None),
    ("[[[]]", [[[]]], [[[]]]),
]


@pytest.mark.parametrize(
    ("text", "with_trailing", "without"), [p for p in PREFIXES if p[1] is not None]
)
def test_partial_value_of_a_prefix(text: str, with_trailing: Any, without: Any) -> None:
    assert parse_partial(text) == with_trailing
    assert parse_partial(text, trailing_strings=False) == without
    # the same, character by character
    assert fed(*text).value == with_trailing
    assert fed(*text, trailing_strings=False).value == without


def test_value_types_are_exact() -> None:
    assert parse_partial("[1, 1.0, 1e2, -0, true, null]") == [1, 1.0, 100.0, 0, True, None]
    kinds = [type(v) for v in fed("[1, 1.0, 1e2, -0, true, null]").close()]
    assert kinds == [int, float, float, int, bool, type(None)]


def test_numbers_appear_when_the_next_character_arrives_or_at_close() -> None:
    for closer in [",", "]", " ", "\n", "\t", "\r"]:
        assert parse_partial("[7" + closer)[:1] == [7]
    parser = fed("123")
    assert parser.value is UNSET
    assert not parser.done
    final = parser.close()
    assert final == 123
    assert parser.value is final


def test_done_means_the_top_level_value_is_complete() -> None:
    assert not fed('{"a": [1]').done
    assert fed('{"a": [1]}').done
    assert fed('{"a": [1]}  ').done
    assert fed('"x"').done
    assert not fed("1").done
    assert fed("1 ").done
    assert fed("true").done


# -- strings and escapes --------------------------------------------------------------------

ESCAPED = '["a\\n\\t\\"\\\\\\/\\b\\f\\r", "\\u00e9\\u20ac", "\\ud83d\\ude00!", "x\\u0000y"]'


def test_escapes_decode_as_json_loads_decodes_them() -> None:
    assert fed(ESCAPED).close() == json.loads(ESCAPED)


@pytest.mark.parametrize("cut", range(len(ESCAPED) + 1))
def test_a_string_cut_anywhere_shows_only_whole_characters(cut: int) -> None:
    """Split inside an escape or a surrogate pair: the partial string is a true prefix."""
    final = json.loads(ESCAPED)
    parser = fed(ESCAPED[:cut])
    assert is_prefix_of(parser.value, final)
    assert parser.value == parse_partial(ESCAPED[:cut])
    parser.feed(ESCAPED[cut:])
    assert parser.close() == final


def test_a_high_surrogate_waits_for_its_low_half() -> None:
    parser = fed('"ab\\ud83d')
    assert parser.value == "ab"
    parser.feed("\\ude00")
    assert parser.value == "ab\U0001f600"


@pytest.mark.parametrize(
    "text",
    [
        '"\\ud83d"',  # a lone high surrogate, then the end
        '"\\ud83dx"',  # then a plain character
        '"\\ud83d\\n"',  # then another escape
        '"\\ud83d\\ud83d\\ude00"',  # then a whole pair
        '"\\ude00"',  # a lone low surrogate
        '{"\\ud83d": 1}',  # in a key
    ],
)
def test_lone_surrogates_are_kept_as_json_loads_keeps_them(text: str) -> None:
    assert fed(text).close() == json.loads(text)
    assert fed(*text).close() == json.loads(text)


def test_keys_are_decoded_and_duplicates_keep_the_last_value() -> None:
    text = '{"\\u0041": 1, "b": 2, "A": 3}'
    assert fed(text).close() == json.loads(text) == {"A": 3, "b": 2}
    assert list(fed(text).close()) == ["A", "b"]


def test_non_ascii_and_long_runs_pass_through() -> None:
    text = json.dumps({"t": "\u00e9\u4e2d\U0001f600 " * 1000}, ensure_ascii=False)
    assert fed(text).close() == json.loads(text)


# -- the views: value (fresh snapshots) and live --------------------------------------------


def test_snapshots_never_change_afterwards() -> None:
    parser = fed('{"a": [1, ')
    first = parser.value
    parser.feed('2, "thr')
    second = parser.value
    parser.feed('ee"], "b": {"c": 4}}')
    assert first == {"a": [1]}
    assert second == {"a": [1, 2, "thr"]}
    assert parser.close() == {"a": [1, 2, "three"], "b": {"c": 4}}


def test_a_read_with_no_visible_change_gives_the_same_object() -> None:
    parser = fed('{"a": [1, 2')
    first = parser.value
    parser.feed("345")  # digits of a number still open
    assert parser.value is first
    parser.feed(" ")  # ends the number
    second = parser.value
    assert second == {"a": [1, 2345]}
    parser.feed(" , 6")  # whitespace, a comma, the start of a number: nothing to show
    assert parser.value is second
    assert first == {"a": [1]}


def test_completed_parts_are_shared_between_snapshots() -> None:
    parser = fed('[{"x": 1}, [2], {"y": "')
    snapshot = parser.value
    assert snapshot == [{"x": 1}, [2], {"y": ""}]
    parser.feed('z"}]')
    final = parser.close()
    assert snapshot[0] is final[0]  # completed: shared
    assert snapshot[1] is final[1]
    assert snapshot[2] is not final[2]  # was open: copied
    assert snapshot is not final


def test_live_is_the_parsers_own_tree() -> None:
    parser = fed('{"a": [1, ')
    live = parser.live
    assert live == {"a": [1]}
    parser.feed('2, "x')
    assert parser.live is live
    assert live == {"a": [1, 2, "x"]}
    parser.feed('yz"]}')
    assert parser.close() is live
    assert live == {"a": [1, 2, "xyz"]}


def test_live_and_value_agree_at_every_step() -> None:
    text = '{"a": [1, "bc", {"d": [true, "ef"]}], "g": "hij"}'
    for trailing in (True, False):
        parser = PartialJSON(trailing_strings=trailing)
        for char in text:
            parser.feed(char)
            assert parser.live == parser.value
            assert parser.value == parser.live


def test_a_top_level_string_shows_as_it_grows() -> None:
    parser = fed('"he')
    assert parser.live == "he"
    parser.feed("llo")
    assert parser.value == "hello"
    assert parser.live == "hello"


# -- errors --------------------------------------------------------------------------------

INVALID: list[tuple[str, int, str]] = [
    # (text, offset of the error, part of the message)
    ('{"a" 1}', 5, "expected ':' after the key, got '1'"),
    ("]", 0, "expected a value, got ']'"),
    ("[1,]", 3, "expected a value, got ']'"),
    ('{"a": 1,}', 8, "expected a key (a string), got '}'"),
    ("{1: 2}", 1, "expected a key (a string) or '}', got '1'"),
    ("[1 2]", 3, "expected ',' or ']', got '2'"),
    ('{"a": 1 "b": 2}', 8, "expected ',' or '}', got '\"'"),
    ("[}", 1, "expected a value or ']', got '}'"),
    ('{"a"::1}', 5, "expected a value, got ':'"),
    ("[1] x", 4, "only whitespace may follow the value"),
    ('"a" "b"', 4, "only whitespace may follow the value"),
    ("01", 0, "invalid number '01'"),
    ("[1.]", 1, "invalid number '1.'"),
    ("[-]", 1, "invalid number '-'"),
    ("[1e]", 1, "invalid number '1e'"),
    ("[1.5e-3}", 7, "expected ',' or ']', got '}'"),
    ("+1", 0, "expected a value, got '+'"),
    (".5", 0, "expected a value, got '.'"),
    ("[1-2]", 1, "invalid number '1-2'"),
    ("NaN", 0, "expected a value, got 'N'"),
    ("Infinity", 0, "expected a value, got 'I'"),
    ("-Infinity", 0, "invalid number '-'"),
    ("tx", 0, "invalid literal 'tx' (expected 'true')"),
    ("[nulx]", 1, "invalid literal 'nulx' (expected 'null')"),
    ("True", 0, "expected a value, got 'T'"),
    ("truefalse", 4, "only whitespace may follow the value"),
    ('"\\x"', 1, "invalid escape '\\\\x'"),
    ('"\\u12G4"', 1, "invalid escape '\\\\u12G'"),
    ('"\\U0041"', 1, "invalid escape '\\\\U'"),
    ('"a\nb"', 2, "control characters must be escaped), got '\\n'"),
    ('"a\x00"', 2, "got '\\x00'"),
    ('{"a\tb": 1}', 3, "the rest of the key"),
    ("\ufeff[]", 0, "expected a value, got '\\ufeff'"),
    ("[1]\x00", 3, "only whitespace may follow"),
    ("\u00a0[]", 0, "expected a value"),  # no-break space is not JSON whitespace
]


@pytest.mark.parametrize(("text", "offset", "message"), INVALID)
def test_invalid_json_raises_with_the_offset(text: str, offset: int, message: str) -> None:
    whole = failure(lambda: fed(text).close())
    assert whole.startswith(f"remote: invalid JSON at offset {offset}: ")
    assert message in whole
    assert failure(lambda: fed(*text).close()) == whole  # the same, character by character
    assert json_loads_refuses(text)


def json_loads_refuses(text: str) -> bool:
    """Whether :func:`json.loads` refuses ``text`` (with NaN and Infinity refused)."""
    try:
        json.loads(text, parse_constant=_refuse)
    except ValueError:
        return True
    return False


def _refuse(name: str) -> Any:
    raise ValueError(name)


TRUNCATED: list[tuple[str, str]] = [
    ("", "unexpected end of JSON: expected a value"),
    ("   ", "unexpected end of JSON: expected a value"),
    ("[", "expected a value or ']'"),
    ("{", "expected a key (a string) or '}'"),
    ('{"a"', "expected ':' after the key"),
    ('{"a":', "expected a value"),
    ('{"a": 1', "expected ',' or '}'"),
    ('{"a": 1,', "expected a key (a string)"),
    ("[1", "expected ',' or ']'"),
    ('"abc', "expected the rest of the string"),
    ('{"ab', "expected the rest of the key"),
    ("tru", "unexpected end of JSON inside 'tru'"),
    ('"\\u00', "unexpected end of JSON inside '\\\\u00'"),
    ('"\\', "unexpected end of JSON inside '\\\\'"),
    ("-", "invalid number '-'"),
]


@pytest.mark.parametrize(("text", "message"), TRUNCATED)
def test_truncated_json_fails_at_close(text: str, message: str) -> None:
    parser = fed(text)  # every prefix feeds without error
    outcome = failure(parser.close)
    assert outcome.startswith("remote: invalid JSON at offset ")
    assert message in outcome
    assert parser.state is S.FAILED
    assert failure(lambda: fed(*text).close()) == outcome


def test_after_an_error_every_call_is_refused() -> None:
    parser = fed("[1, 2")
    with pytest.raises(RemoteProtocolError) as caught:
        parser.feed("x")
    assert parser.state is S.FAILED
    assert parser.value == [1, 2]  # what was parsed before the error is still readable
    with pytest.raises(LocalProtocolError) as refused:
        parser.feed("]")
    assert refused.value.__cause__ is caught.value
    with pytest.raises(LocalProtocolError):
        parser.close()
    with pytest.raises(LocalProtocolError):
        parser.feed("")


def test_after_close_every_call_is_refused() -> None:
    parser = fed("[1]")
    assert parser.close() == [1]
    assert parser.state is S.CLOSED
    assert parser.done
    with pytest.raises(LocalProtocolError, match="cannot take FEED in state CLOSED"):
        parser.feed(" ")
    with pytest.raises(LocalProtocolError, match="cannot take END in state CLOSED"):
        parser.close()
    assert parser.value == [1]


def test_feed_takes_text_only() -> None:
    with pytest.raises(TypeError, match="feed\\(\\) takes str, not bytes"):
        PartialJSON().feed(b"[]")  # type: ignore[arg-type]


def test_nesting_deeper_than_max_depth_is_refused() -> None:
    assert fed("[[1]]").close() == [[1]]
    parser = PartialJSON(max_depth=2)
    parser.feed('[{"a": 1}]')
    assert parser.close() == [{"a": 1}]
    with pytest.raises(RemoteProtocolError, match=r"offset 2: nesting deeper than max_depth \(2\)"):
        PartialJSON(max_depth=2).feed("[[[")
    deep = "[" * 600
    assert "max_depth (512)" in failure(lambda: fed(deep))
    with pytest.raises(ValueError, match="max_depth must be at least 1"):
        PartialJSON(max_depth=0)


def test_numbers_too_long_for_int_are_an_error_as_in_json_loads() -> None:
    digits = "9" * 5000
    assert json_loads_refuses(digits)
    assert f"number too long ({len(digits)} digits)" in failure(lambda: fed(digits).close())
    assert fed("[1e400]").close() == json.loads("[1e400]") == [float("inf")]


# -- the table ----------------------------------------------------------------------------

#: A text that leaves the parser in each state; inside containers, so that AFTER_VALUE
#: resolves to a container state.
REACH: dict[PartialJSONState, str] = {
    S.VALUE: '{"k": ',
    S.FIRST_ITEM: "[",
    S.FIRST_KEY: "{",
    S.KEY: '{"a": 1, ',
    S.IN_KEY: '{"ke',
    S.COLON: '{"k" ',
    S.IN_STRING: '["ab',
    S.IN_NUMBER: "[12",
    S.AFTER_ITEM: "[true",
    S.AFTER_MEMBER: '{"a": null',
    S.COMPLETE: "{} ",
}
#: The same at the top level.
REACH_TOP: dict[PartialJSONState, str] = {S.VALUE: "", S.IN_STRING: '"ab', S.IN_NUMBER: "12"}

#: A text for each character class; each is one whole token where a row takes it.
SAMPLES: dict[JSONInput, str] = {
    JSONInput.SPACE: " ",
    JSONInput.BREAK: "\n",
    JSONInput.CONTROL: "\x01",
    JSONInput.QUOTE: '"',
    JSONInput.BACKSLASH: "\\n",
    JSONInput.OPEN_BRACE: "{",
    JSONInput.CLOSE_BRACE: "}",
    JSONInput.OPEN_BRACKET: "[",
    JSONInput.CLOSE_BRACKET: "]",
    JSONInput.COMMA: ",",
    JSONInput.COLON: ":",
    JSONInput.MINUS: "-",
    JSONInput.DIGIT: "7",
    JSONInput.NUMBER_PART: "e",
    JSONInput.LITERAL: "true",
    JSONInput.OTHER: "\u00e9",
}


def expected_state(start: PartialJSONState, event: JSONInput, parser: PartialJSON) -> str:
    """What the table says one input does: ``remote`` or the name of the state after it."""
    kinds: list[type | None] = [None, *(type(c) for c in parser._stack)]
    state = start
    while True:
        row = PARTIAL_JSON_TRANSITIONS.get((state, event))
        if row is None:
            return "remote"
        handler, next_state = row
        if handler is PartialJSON._close_container:
            kinds.pop()
        if next_state is S.AFTER_VALUE:
            next_state = AFTER_VALUE_TARGETS[kinds[-1]]
        if handler is not PartialJSON._end_number:
            return next_state.name
        state = next_state  # it used no character: the next state reads it


@pytest.mark.parametrize(
    ("state", "prefix", "top"),
    [(s, p, "container") for s, p in REACH.items()] + [(s, p, None) for s, p in REACH_TOP.items()],
)
def test_the_machine_is_total(state: PartialJSONState, prefix: str, top: str | None) -> None:
    """Every live state, every input: the table's row, or RemoteProtocolError."""
    for event, sample in SAMPLES.items():
        parser = fed(prefix)
        assert parser.state is state
        want = expected_state(state, event, parser)
        outcome = failure(functools.partial(parser.feed, sample))
        got = "remote" if outcome.startswith("remote") else parser.state.name
        assert got == want, (state, event, outcome)
        assert outcome == "ok" or got == "remote"
    # the calls
    parser = fed(prefix)
    parser.feed("")
    assert parser.state is state
    ended = failure(parser.close)
    if state is S.COMPLETE or (state, top) == (S.IN_NUMBER, None):
        assert ended == "ok"
    else:
        assert ended.startswith("remote: invalid JSON at offset ")


@pytest.mark.parametrize("state", [S.CLOSED, S.FAILED])
@pytest.mark.parametrize("event", [JSONInput.FEED, JSONInput.END])
def test_calls_in_dead_states_are_local_errors(state: PartialJSONState, event: JSONInput) -> None:
    parser = fed("1 ")
    if state is S.CLOSED:
        parser.close()
    else:
        failure(lambda: parser.feed("x"))
    assert parser.state is state
    call = (lambda: parser.feed("1")) if event is JSONInput.FEED else parser.close
    assert failure(call) == "local"
    assert (state, event) not in PARTIAL_JSON_TRANSITIONS


def test_the_table_is_consistent() -> None:
    live = set(S) - {S.CLOSED, S.FAILED, S.AFTER_VALUE}
    assert set(EXPECTED) == live
    assert set(REACH) == live
    for state in live:
        assert PARTIAL_JSON_TRANSITIONS[(state, JSONInput.FEED)][1] is state
    for (state, _), (handler, next_state) in PARTIAL_JSON_TRANSITIONS.items():
        assert state in live
        assert next_state not in (S.FAILED,)
        assert handler.__qualname__.startswith("PartialJSON.")
    assert set(AFTER_VALUE_TARGETS.values()) == {S.AFTER_ITEM, S.AFTER_MEMBER, S.COMPLETE}


def test_the_fast_dispatch_is_the_table_composed_with_classify() -> None:
    dispatch = openai_proto.streams.partial_json._DISPATCH
    chars = [chr(c) for c in range(128)] + ["\u00e9", "\u2028", "\ud800", "\U0001f600"]
    for state, (rows, other_row) in dispatch.items():
        for char in chars:
            row = rows.get(char, other_row)
            assert row == PARTIAL_JSON_TRANSITIONS.get((state, classify(char))), (state, char)


def test_classify() -> None:
    assert [classify(c).name for c in ' \t"\\{}[],:-5+.eEtfnxa\x00\u00e9'] == [
        "SPACE", "BREAK", "QUOTE", "BACKSLASH", "OPEN_BRACE", "CLOSE_BRACE", "OPEN_BRACKET",
        "CLOSE_BRACKET", "COMMA", "COLON", "MINUS", "DIGIT", "NUMBER_PART", "NUMBER_PART",
        "NUMBER_PART", "NUMBER_PART", "LITERAL", "LITERAL", "LITERAL", "OTHER", "OTHER",
        "CONTROL", "OTHER",
    ]  # fmt: skip


# -- properties ----------------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=25,
)
WHITESPACE = st.text(alphabet=" \t\n\r", max_size=2)


def tokens(value: Any, ensure_ascii: bool) -> list[str]:
    """``value`` as JSON tokens (whitespace goes between them)."""
    if isinstance(value, list):
        inner = [tokens(v, ensure_ascii) for v in value]
        return ["[", *_joined(inner), "]"]
    if isinstance(value, dict):
        members = [
            [json.dumps(k, ensure_ascii=ensure_ascii), ":", *tokens(v, ensure_ascii)]
            for k, v in value.items()
        ]
        return ["{", *_joined(members), "}"]
    return [json.dumps(value, ensure_ascii=ensure_ascii)]


def _joined(parts: list[list[str]]) -> list[str]:
    out: list[str] = []
    for index, part in enumerate(parts):
        if index:
            out.append(",")
        out += part
    return out


@st.composite
def json_texts(draw: st.DrawFn) -> tuple[Any, str]:
    """A JSON value and a text for it, with random whitespace between tokens."""
    value = draw(VALUES)
    parts = tokens(value, draw(st.booleans()))
    spaces = draw(st.lists(WHITESPACE, min_size=len(parts) + 1, max_size=len(parts) + 1))
    return value, spaces[0] + "".join(t + s for t, s in zip(parts, spaces[1:], strict=True))


@st.composite
def chunked(draw: st.DrawFn, text: str) -> list[str]:
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=30))))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


@given(case=json_texts(), trailing=st.booleans(), data=st.data())
def test_any_text_in_any_chunks(case: tuple[Any, str], trailing: bool, data: st.DataObject) -> None:
    """close() gives the value; every partial value is a prefix of it, grows, and
    depends only on how much text was fed; snapshots never change afterwards."""
    value, text = case
    chunks = data.draw(chunked(text))
    parser = PartialJSON(trailing_strings=trailing)
    fed_so_far = 0
    previous: Any = UNSET
    kept: list[tuple[Any, Any]] = []
    for chunk in chunks:
        parser.feed(chunk)
        fed_so_far += len(chunk)
        partial = parser.value
        assert partial == parse_partial(text[:fed_so_far], trailing_strings=trailing)
        assert is_prefix_of(partial, value, exact_strings=not trailing)
        assert is_prefix_of(previous, partial)
        assert parser.live == partial
        kept.append((partial, copy.deepcopy(partial)))
        previous = partial
    assert parser.close() == value
    assert parser.value == value
    for snapshot, as_it_was in kept:
        assert snapshot == as_it_was


@given(case=json_texts())
def test_character_by_character(case: tuple[Any, str]) -> None:
    value, text = case
    assert run(text, list(text)) == ("ok", value)


@given(case=json_texts(), trailing=st.booleans())
def test_agrees_with_the_official_sdks_parser_where_the_rules_agree(
    case: tuple[Any, str], trailing: bool
) -> None:
    """jiter's partial modes ("trailing-strings" / "on") give the same value at every
    offset, except inside a number (jiter shows its digits) and before a value starts
    (jiter raises)."""
    jiter = pytest.importorskip("jiter")
    _, text = case
    mode = "trailing-strings" if trailing else "on"
    parser = PartialJSON(trailing_strings=trailing)
    for offset, char in enumerate(text, 1):
        parser.feed(char)
        if parser.state is not S.IN_NUMBER and parser.value is not UNSET:
            prefix = text[:offset].encode("utf-8", "surrogatepass")
            assert parser.value == jiter.from_json(prefix, partial_mode=mode), offset


JSONISH = st.text(alphabet='{}[],:" \n\\-+.eE0123456789tfnrulasbux\u00e9\x01', max_size=24)


@given(data=st.binary(max_size=64))
def test_fuzz_target_on_random_bytes(data: bytes) -> None:
    fuzz_partial_json(data)


@given(text=JSONISH)
def test_fuzz_target_on_json_like_text(text: str) -> None:
    fuzz_partial_json(text.encode("utf-8"))


@given(case=json_texts(), data=st.data())
def test_fuzz_target_on_edited_json(case: tuple[Any, str], data: st.DataObject) -> None:
    """One character deleted, inserted or replaced: agree with json.loads, never crash."""
    _, text = case
    at = data.draw(st.integers(0, len(text)))
    char = data.draw(st.sampled_from('{}[],:"\\ -.e0tn\x01\ud800'))
    edit = data.draw(st.sampled_from(["delete", "insert", "replace"]))
    assume(edit == "insert" or at < len(text))
    tail = text[at:] if edit == "insert" else text[at + 1 :]
    edited = text[:at] + ("" if edit == "delete" else char) + tail
    fuzz_partial_json(edited.encode("utf-8", "surrogatepass"))


# -- the oracles the properties rely on can say no -------------------------------------


@pytest.mark.parametrize(
    ("partial", "final", "exact_strings", "expected"),
    [
        (UNSET, [1], False, True),
        ("ab", "abc", False, True),
        ("ab", "abc", True, False),
        ("ax", "abc", False, False),
        (1, "1", False, False),
        ([], [1, 2], False, True),
        ([1, "a"], [1, "ab"], False, True),
        ([2, "a"], [1, "ab"], False, False),
        ([1, 2, 3], [1, 2], False, False),
        ("x", ["x"], False, False),
        ({}, {"a": 1}, False, True),
        ({"a": 1, "b": "x"}, {"a": 1, "b": "xy"}, False, True),
        ({"b": 1}, {"a": 1, "b": 1}, False, False),
        ({"a": 2, "b": 1}, {"a": 1, "b": 1}, False, False),
        ([], {}, False, False),
        (True, 1, False, False),
        (1, 1.0, False, False),
        (None, None, False, True),
    ],
)
def test_is_prefix_of(partial: Any, final: Any, exact_strings: bool, expected: bool) -> None:
    assert is_prefix_of(partial, final, exact_strings=exact_strings) is expected


def test_the_json_loads_check_reports_disagreement() -> None:
    check_against_json_loads("[1]", ("ok", [1]))
    check_against_json_loads("[1", ("error", "..."))
    check_against_json_loads("[" * 100_000, ("error", "..."))  # json.loads: RecursionError
    check_against_json_loads("[" * 600 + "]" * 600, ("error", "... max_depth (512)"))
    with pytest.raises(AssertionError, match=r"json\.loads gives"):
        check_against_json_loads("[1]", ("ok", [2]))
    with pytest.raises(AssertionError, match=r"json\.loads gives"):
        check_against_json_loads("NaN", ("ok", 0))
    assert has_repeated_keys('[{"a": 1, "a": 2}]')
    assert not has_repeated_keys('[{"a": 1}, {"a": 2}]')
    assert not has_repeated_keys("[1")


# -- cost ----------------------------------------------------------------------------------


def _items(count: int) -> str:
    return json.dumps(
        {
            "items": [
                {"id": i, "name": f"item {i}", "tags": ["a", "b"], "score": i / 2, "ok": True}
                for i in range(count)
            ]
        }
    )


def _numbers(count: int) -> str:
    return json.dumps({"values": list(range(count))})


def _essay(count: int) -> str:
    return json.dumps({"title": "t", "essay": "lorem ipsum dolor sit amet " * count})


def _seconds(text: str, read: str) -> float:
    """CPU time to feed ``text`` in 4-character deltas, reading ``read`` after each."""
    chunks = [text[i : i + 4] for i in range(0, len(text), 4)]
    best = float("inf")
    for _ in range(3):
        parser = PartialJSON()
        started = time.process_time()
        for chunk in chunks:
            parser.feed(chunk)
            getattr(parser, read)
        parser.close()
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize(
    ("make", "size", "read"),
    [
        (_items, 60, "value"),
        (_items, 60, "live"),
        (_numbers, 900, "live"),
        (_essay, 150, "live"),
    ],
    ids=["items-value", "items-live", "numbers-live", "essay-live"],
)
def test_reading_after_every_delta_is_linear(
    make: Callable[[int], str], size: int, read: str
) -> None:
    """16 times the text takes well under 16 * 2.5 times as long (quadratic: 256)."""
    small = _seconds(make(size), read)
    large = _seconds(make(16 * size), read)
    assert large / small < 16 * 2.5, large / small


# -- docs ----------------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "partial-json.md"


def test_docs_diagram_is_drawn_from_the_table() -> None:
    diagrams = re.findall(r"^```mermaid\n(.*?)\n```", DOCS.read_text("utf-8"), re.M | re.S)
    assert state_diagram() in diagrams


def test_docstring_examples() -> None:
    result = doctest.testmod(openai_proto.streams.partial_json)
    assert result.attempted > 0
    assert result.failed == 0
