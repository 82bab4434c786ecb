"""Incremental partial JSON: text deltas in, the value parsed so far out — pure.

:class:`PartialJSON` reads a JSON text as it streams (structured-output content, strict
tool-call arguments) and can show, after any delta, the part of the value that the
text so far already determines. Each character is looked at once, so the parsing work
over a whole stream is linear in its length, whatever the chunking.

What the partial value holds (rules stated once, here):

1. Completed values: every string, number, ``true``/``false``/``null`` and container
   that has ended. A completed scalar is exactly what it will be in the final value.
2. Open containers: ``{"a": [`` shows ``{"a": []}``. A list shows its items so far; an
   object shows its members so far, in order.
3. An unfinished string is shown with the characters received so far when
   ``trailing_strings=True`` (the default: text appears as it streams, which is what
   a UI wants); with ``trailing_strings=False`` it is left out until its closing
   quote, as the official SDK does. Either way, an escape split across deltas
   (``\\u00e9`` arriving as ``\\u0`` then ``0e9``) is never shown half-decoded, and
   the first half of a surrogate pair waits for the second half.
4. An unfinished number is left out until the character after it arrives (``,``,
   ``]``, ``}``, whitespace) or :meth:`~PartialJSON.close` is called: ``12`` may yet be
   ``1234`` or ``12.5e3``, so showing it early would show a wrong value, while a string
   prefix is a true prefix. (The official SDK's jiter "partial mode" shows ``12``.)
5. An unfinished ``true``/``false``/``null`` is left out (``tru`` shows nothing).
6. An object key is shown only once its value has started: ``{"a": 1, "b`` and
   ``{"a": 1, "b":`` both show ``{"a": 1}``.
7. So every partial value is a prefix of the final value (completed parts equal, lists
   and objects growing at the end, strings growing), unless an object repeats a key:
   as in :func:`json.loads`, the later value then replaces the earlier one.
8. Before any value has started (or when the only value is an unfinished number,
   literal, or, without trailing strings, string), the value is
   :data:`~openai_proto.sentinels.UNSET` — never ``None``, which is JSON ``null``.

The accepted language is exactly JSON as :func:`json.loads` accepts it, minus
``NaN``/``Infinity``: whitespace is space, tab, LF and CR; strings may not contain
raw control characters; a lone surrogate escape (``"\\ud800"``) is kept as a lone
surrogate, as :func:`json.loads` does; a duplicated key keeps its first position and
its last value. Bad text raises :class:`~openai_proto.errors.RemoteProtocolError`
(the model produced it) naming the character offset and what was expected; after that
the parser is ``FAILED`` and every call raises
:class:`~openai_proto.errors.LocalProtocolError`. So does any call after ``close()``.
Nesting deeper than ``max_depth`` is refused the same way (the value would break
``==``, ``repr`` and :func:`json.dumps`, which recurse).

Two views of the value, with different costs:

* :attr:`~PartialJSON.value` is a fresh snapshot that later feeds never change, as the
  official SDK gives. Completed containers are shared between snapshots (they never
  change again), so a read copies only the open containers on the path from the root to
  the current position, and joins the unfinished string: O(depth + items in the open
  containers + length of the unfinished string). Typical structured output keeps that
  small; a very long open array read after every delta costs a pointer copy per item
  per read (measured in ``docs/partial-json.md``).
* :attr:`~PartialJSON.live` is the parser's own tree, updated in place by later feeds:
  O(1 + length of the unfinished string) per read (a ``str`` cannot grow in place, so
  a long unfinished string is rebuilt by each read). Values you kept from it change as
  text arrives.

Both share completed sub-values with the parser: treat them as read-only (copy with
:func:`copy.deepcopy` to edit).

The state (:class:`PartialJSONState`) moves by one table, :data:`PARTIAL_JSON_TRANSITIONS`,
keyed by the state and the class of the next character (:func:`classify`). The stack
of open containers is the automaton's stack: a value that ends goes to
:attr:`~PartialJSONState.AFTER_VALUE`, which resolves at once by the enclosing container
(:data:`AFTER_VALUE_TARGETS`). Runs of string characters, digits and whitespace are
consumed in bulk with regular expressions; the table dispatches once per run.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from typing import Any, Union

from openai_proto.errors import RemoteProtocolError
from openai_proto.lines import refused
from openai_proto.sentinels import UNSET

#: Containers nested deeper than this are refused (:func:`json.loads` stops near 1000).
DEFAULT_MAX_DEPTH = 512

#: How many characters of a bad token an error message shows.
PREVIEW_CHARS = 40


class PartialJSONState(enum.Enum):
    """Where a :class:`PartialJSON` is in its text."""

    #: A value must come next: at the start, after ``:``, and after ``,`` in an array.
    VALUE = "value"
    #: Just after ``[``: a value or ``]``.
    FIRST_ITEM = "first item"
    #: Just after ``{``: a key or ``}``.
    FIRST_KEY = "first key"
    #: After ``,`` in an object: a key.
    KEY = "key"
    #: Inside an object key.
    IN_KEY = "in key"
    #: After a key: ``:``.
    COLON = "colon"
    #: Inside a string value.
    IN_STRING = "in string"
    #: Inside a number; the next character that cannot continue it ends it.
    IN_NUMBER = "in number"
    #: After an item of an array: ``,`` or ``]``.
    AFTER_ITEM = "after item"
    #: After a member of an object: ``,`` or ``}``.
    AFTER_MEMBER = "after member"
    #: The top-level value is complete; only whitespace may follow.
    COMPLETE = "complete"
    #: ``close()`` returned the value.
    CLOSED = "closed"
    #: The text broke JSON (or the depth limit); every call raises.
    FAILED = "failed"
    #: Only in the table, never the current state: a value just ended, and the
    #: enclosing container picks the next state (:data:`AFTER_VALUE_TARGETS`).
    AFTER_VALUE = "after value"

    __hash__ = object.__hash__  # members are singletons; skips Enum's slower hash


class JSONInput(enum.Enum):
    """What the parser reacts to: the class of the next character, or a call."""

    #: ``" "``.
    SPACE = "space"
    #: Tab, LF, CR: whitespace between tokens, forbidden raw inside strings.
    BREAK = "tab or line end"
    #: Any other character below U+0020: forbidden raw inside strings.
    CONTROL = "control character"
    QUOTE = '"'
    BACKSLASH = "\\"
    OPEN_BRACE = "{"
    CLOSE_BRACE = "}"
    OPEN_BRACKET = "["
    CLOSE_BRACKET = "]"
    COMMA = ","
    COLON = ":"
    MINUS = "-"
    DIGIT = "0-9"
    #: ``+``, ``.``, ``e``, ``E``: can only continue a number.
    NUMBER_PART = "+.eE"
    #: ``t``, ``f``, ``n``: start ``true``, ``false``, ``null``.
    LITERAL = "tfn"
    #: Every other character (letters, non-ASCII, ...).
    OTHER = "other"
    #: A call to ``feed()``, checked before its text.
    FEED = "feed"
    #: A call to ``close()``.
    END = "end"

    __hash__ = object.__hash__


_I = JSONInput

_CLASSES: dict[str, JSONInput] = {chr(code): _I.CONTROL for code in range(0x20)}
_CLASSES.update({" ": _I.SPACE, "\t": _I.BREAK, "\n": _I.BREAK, "\r": _I.BREAK})
_CLASSES.update({c: _I(c) for c in '"\\{}[],:-'})
_CLASSES.update(dict.fromkeys("0123456789", _I.DIGIT))
_CLASSES.update(dict.fromkeys("+.eE", _I.NUMBER_PART))
_CLASSES.update(dict.fromkeys("tfn", _I.LITERAL))


def classify(char: str) -> JSONInput:
    """The input class of one character."""
    return _CLASSES.get(char, _I.OTHER)


#: What a handler returns when the text ends inside a short token (an escape, a
#: literal): the rest of the text is kept and read again with the next feed.
NEED_MORE = -1

_WHITESPACE_CHARS = " \t\n\r"
_SPACE_RUN = re.compile(r"[ \t\n\r]*")
_PLAIN_RUN = re.compile(r'[^"\\\x00-\x1f]*')
_NUMBER_RUN = re.compile(r"[-+.eE0-9]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_ESCAPE = re.compile(r'\\(?:(["\\/bfnrt])|u([0-9a-fA-F]{4}))')
_ESCAPE_PREFIX = re.compile(r"\\(?:u[0-9a-fA-F]{0,3})?")
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n"}
_SIMPLE_ESCAPES.update({"r": "\r", "t": "\t"})
_LITERALS: dict[str, tuple[str, Any]] = {"t": ("true", True), "f": ("false", False)}
_LITERALS["n"] = ("null", None)

Container = Union[list[Any], dict[str, Any]]
Handler = Callable[["PartialJSON", str, int], int]

#: A marker for "no child to put into the copy" while taking a snapshot.
_NO_CHILD: Any = object()


class PartialJSON:
    """Text in, partial JSON value out: ``feed(str)``; ``value``; ``close()``.

    >>> parser = PartialJSON()
    >>> parser.feed('{"title": "Stre')
    >>> parser.value
    {'title': 'Stre'}
    >>> parser.feed('aming", "pages": 12')
    >>> parser.value
    {'title': 'Streaming'}
    >>> parser.feed(', "tags": ["a"]}')
    >>> parser.value
    {'title': 'Streaming', 'pages': 12, 'tags': ['a']}
    >>> parser.done
    True
    >>> parser.close()
    {'title': 'Streaming', 'pages': 12, 'tags': ['a']}
    """

    def __init__(
        self, *, trailing_strings: bool = True, max_depth: int = DEFAULT_MAX_DEPTH
    ) -> None:
        if max_depth < 1:
            raise ValueError("max_depth must be at least 1")
        #: Show an unfinished string with the characters so far (rule 3).
        self.trailing_strings = trailing_strings
        #: Containers nested deeper than this raise RemoteProtocolError.
        self.max_depth = max_depth
        self._state = PartialJSONState.VALUE
        self._root: Any = UNSET
        self._stack: list[Container] = []
        self._keys: list[str] = []  # per open container: the key being filled (objects)
        self._pieces: list[str] = []  # the current string, key or number token
        self._high = ""  # a high surrogate waiting for its low half
        self._show_string = False  # inside a string value that the value shows
        self._token_start = 0
        self._carry = ""  # an unfinished escape or literal, read again with the next feed
        self._consumed = 0  # characters consumed before the current text
        self._snapshot: Any = UNSET
        self._dirty = False
        self._error: RemoteProtocolError | None = None

    @property
    def state(self) -> PartialJSONState:
        return self._state

    @property
    def done(self) -> bool:
        """A complete top-level value has been parsed."""
        return self._state in _DONE_STATES

    @property
    def value(self) -> Any:
        """The value so far, as a fresh snapshot (``UNSET`` if nothing yet).

        Later feeds never change it. Two reads with no visible change in between give
        the same object. Completed sub-values are shared: do not mutate them.
        """
        if self._dirty:
            self._snapshot = self._take_snapshot()
            self._dirty = False
        return self._snapshot

    @property
    def live(self) -> Any:
        """The parser's own value so far (``UNSET`` if nothing yet), changed in place by
        later feeds; O(1) plus the unfinished string. Do not mutate it."""
        if self._show_string:
            self._set_last(self._partial_string())
        return self._root

    def feed(self, text: str) -> None:
        """Read the next delta of the text."""
        if not isinstance(text, str):
            raise TypeError(f"feed() takes str, not {type(text).__name__}")
        if _I.FEED not in _ROWS[self._state]:
            self._signal(_I.FEED)  # raises: the table has no row for it
        if self._carry:
            text = self._carry + text
            self._carry = ""
        try:
            pos = self._run(text)
        except RemoteProtocolError as exc:
            raise self._fail(exc) from None
        if pos < len(text):
            self._carry = text[pos:]
        self._consumed += pos

    def close(self) -> Any:
        """End of text: the complete value.

        Raises :class:`~openai_proto.errors.RemoteProtocolError` if the text so far is
        not one complete JSON value.
        """
        try:
            if self._carry and self._state not in _DEAD_STATES:
                raise self._error_at(0, f"unexpected end of JSON inside {self._carry!r}")
            self._signal(_I.END)
            while self._state is not PartialJSONState.CLOSED:
                self._signal(_I.END)  # a number ended: the state after it reads END
        except RemoteProtocolError as exc:
            raise self._fail(exc) from None
        return self._root

    # -- the machine ------------------------------------------------------------------

    def _run(self, text: str) -> int:
        """Consume ``text``; where it stopped (before an unfinished short token)."""
        pos = 0
        end = len(text)
        state = self._state
        rows, other_row = _DISPATCH[state]
        try:
            while pos < end:
                row = rows.get(text[pos], other_row)
                if row is None:
                    raise self._unexpected(state, text, pos)
                handler, next_state = row
                moved = handler(self, text, pos)
                if moved == NEED_MORE:
                    break
                pos = moved
                if next_state is not state:
                    if next_state is _AFTER_VALUE:
                        next_state = self._after_value()
                    state = next_state
                    rows, other_row = _DISPATCH[state]
        finally:
            self._state = state
        return pos

    def _signal(self, signal: JSONInput) -> None:
        """A call (``FEED`` or ``END``), dispatched by the same table."""
        state = self._state
        row = _ROWS[state].get(signal)
        if row is None:
            if state in _DEAD_STATES:
                raise refused("PartialJSON", state, signal) from self._error
            raise self._error_at(0, f"unexpected end of JSON: expected {EXPECTED[state]}")
        handler, next_state = row
        handler(self, "", 0)
        self._state = self._after_value() if next_state is _AFTER_VALUE else next_state

    def _after_value(self) -> PartialJSONState:
        stack = self._stack
        return AFTER_VALUE_TARGETS[type(stack[-1]) if stack else None]

    def _fail(self, error: RemoteProtocolError) -> RemoteProtocolError:
        self._error = error
        self._state = PartialJSONState.FAILED
        return error

    def _error_at(self, pos: int, message: str) -> RemoteProtocolError:
        return RemoteProtocolError(f"invalid JSON at offset {self._consumed + pos}: {message}")

    def _unexpected(self, state: PartialJSONState, text: str, pos: int) -> RemoteProtocolError:
        return self._error_at(pos, f"expected {EXPECTED[state]}, got {text[pos]!r}")

    # -- the value ----------------------------------------------------------------------

    def _add(self, value: Any) -> None:
        """A value starts (container, shown string) or completes (scalar, hidden string)."""
        stack = self._stack
        if not stack:
            self._root = value
        else:
            top = stack[-1]
            if isinstance(top, list):
                top.append(value)
            else:
                top[self._keys[-1]] = value
        self._dirty = True

    def _set_last(self, value: Any) -> None:
        """Replace the value :meth:`_add` put in last (a shown string)."""
        stack = self._stack
        if not stack:
            self._root = value
        else:
            top = stack[-1]
            if isinstance(top, list):
                top[-1] = value
            else:
                top[self._keys[-1]] = value

    def _take_snapshot(self) -> Any:
        if self._show_string:
            self._set_last(self._partial_string())
        stack = self._stack
        if not stack:
            return self._root
        keys = self._keys
        child = _NO_CHILD  # the copy of the open container one level down
        for depth in range(len(stack) - 1, -1, -1):
            copy = stack[depth].copy()
            if child is not _NO_CHILD:
                if isinstance(copy, list):
                    copy[-1] = child
                else:
                    copy[keys[depth]] = child
            child = copy
        return child

    def _partial_string(self) -> str:
        pieces = self._pieces
        if len(pieces) != 1:
            pieces[:] = ["".join(pieces)]
        return pieces[0]

    def _take_string(self) -> str:
        if self._high:
            self._flush_high()
        text = "".join(self._pieces)
        self._pieces = []
        return text

    def _flush_high(self) -> None:
        self._pieces.append(self._high)
        self._high = ""

    # -- handlers: each takes (text, pos) and returns the position after what it used --

    def _nothing(self, text: str, pos: int) -> int:
        return pos

    def _skip(self, text: str, pos: int) -> int:
        """``:`` or ``,``, and a space after it (the next state loops on whitespace)."""
        pos += 1
        if text[pos : pos + 1] == " ":
            pos += 1
        return pos

    def _skip_space(self, text: str, pos: int) -> int:
        pos += 1  # most whitespace between tokens is one character
        if pos < len(text) and text[pos] in _WHITESPACE_CHARS:
            match = _SPACE_RUN.match(text, pos)
            assert match is not None  # a '*' pattern always matches
            pos = match.end()
        return pos

    def _open_object(self, text: str, pos: int) -> int:
        return self._push({}, text, pos)

    def _open_array(self, text: str, pos: int) -> int:
        return self._push([], text, pos)

    def _push(self, container: Container, text: str, pos: int) -> int:
        if len(self._stack) >= self.max_depth:
            raise self._error_at(pos, f"nesting deeper than max_depth ({self.max_depth})")
        self._add(container)
        self._stack.append(container)
        self._keys.append("")
        return pos + 1

    def _close_container(self, text: str, pos: int) -> int:
        self._stack.pop()
        self._keys.pop()
        return pos + 1

    def _open_key(self, text: str, pos: int) -> int:
        """The opening quote, and the plain characters after it (IN_KEY loops on them)."""
        match = _PLAIN_RUN.match(text, pos + 1)
        assert match is not None  # a '*' pattern always matches
        end = match.end()
        self._pieces = [text[pos + 1 : end]]
        return end

    def _end_key(self, text: str, pos: int) -> int:
        self._keys[-1] = self._take_string()
        return pos + 1

    def _open_string(self, text: str, pos: int) -> int:
        """The opening quote, and the plain characters after it (IN_STRING loops on them)."""
        match = _PLAIN_RUN.match(text, pos + 1)
        assert match is not None  # a '*' pattern always matches
        end = match.end()
        self._pieces = [text[pos + 1 : end]]
        if self.trailing_strings:
            self._show_string = True
            self._add("")
        return end

    def _end_string(self, text: str, pos: int) -> int:
        value = self._take_string()
        if self._show_string:
            self._show_string = False
            self._set_last(value)
            self._dirty = True
        else:
            self._add(value)
        return pos + 1

    def _string_run(self, text: str, pos: int) -> int:
        match = _PLAIN_RUN.match(text, pos)
        assert match is not None  # a '*' pattern always matches
        end = match.end()
        if self._high:
            self._flush_high()
        self._pieces.append(text[pos:end])
        if self._show_string:
            self._dirty = True
        return end

    def _escape(self, text: str, pos: int) -> int:
        match = _ESCAPE.match(text, pos)
        if match is None:
            valid = _ESCAPE_PREFIX.match(text, pos)
            assert valid is not None  # text[pos] is a backslash
            if valid.end() == len(text):
                return NEED_MORE  # the rest of the escape is still to come
            bad = text[pos : valid.end() + 1]  # up to the first wrong character
            raise self._error_at(pos, f"invalid escape {bad!r}")
        simple, hex_digits = match.groups()
        if simple is not None:
            if self._high:
                self._flush_high()
            self._pieces.append(_SIMPLE_ESCAPES[simple])
        else:
            self._code_point(int(hex_digits, 16))
        if self._show_string:
            self._dirty = True
        return match.end()

    def _code_point(self, code: int) -> None:
        """A ``\\uXXXX`` escape; surrogate pairs join as :func:`json.loads` joins them."""
        if 0xDC00 <= code <= 0xDFFF and self._high:
            high = ord(self._high)
            self._high = ""
            self._pieces.append(chr(0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)))
            return
        if self._high:
            self._flush_high()
        if 0xD800 <= code <= 0xDBFF:
            self._high = chr(code)
        else:
            self._pieces.append(chr(code))

    def _start_number(self, text: str, pos: int) -> int:
        self._pieces = []
        self._token_start = self._consumed + pos
        return self._number_run(text, pos)

    def _number_run(self, text: str, pos: int) -> int:
        match = _NUMBER_RUN.match(text, pos)
        assert match is not None  # a '*' pattern always matches
        end = match.end()
        self._pieces.append(text[pos:end])
        return end

    def _end_number(self, text: str, pos: int) -> int:
        token = "".join(self._pieces)
        self._pieces = []
        match = _NUMBER.fullmatch(token)
        if match is None:
            where = f"invalid JSON at offset {self._token_start}"
            raise RemoteProtocolError(f"{where}: invalid number {token[:PREVIEW_CHARS]!r}")
        try:
            number = float(token) if match.group(1) or match.group(2) else int(token)
        except ValueError:  # more digits than int() takes (sys.set_int_max_str_digits)
            where = f"invalid JSON at offset {self._token_start}"
            raise RemoteProtocolError(f"{where}: number too long ({len(token)} digits)") from None
        self._add(number)
        return pos

    def _literal(self, text: str, pos: int) -> int:
        word, value = _LITERALS[text[pos]]
        got = text[pos : pos + len(word)]
        if got == word:
            self._add(value)
            return pos + len(word)
        same = 1  # the first letter chose the word
        while same < len(got) and got[same] == word[same]:
            same += 1
        if same == len(got):
            return NEED_MORE  # the rest of the word is still to come
        raise self._error_at(pos, f"invalid literal {got[: same + 1]!r} (expected {word!r})")


def parse_partial(text: str, *, trailing_strings: bool = True) -> Any:
    """The partial value of ``text``, a prefix of a JSON text (``UNSET`` if none yet).

    >>> parse_partial('[{"id": 1, "name": "Ad')
    [{'id': 1, 'name': 'Ad'}]
    >>> parse_partial('[{"id": 1, "name": "Ad', trailing_strings=False)
    [{'id': 1}]
    """
    parser = PartialJSON(trailing_strings=trailing_strings)
    parser.feed(text)
    return parser.value


# -- the table ---------------------------------------------------------------------------

_S = PartialJSONState
_P = PartialJSON
Row = tuple[Handler, PartialJSONState]

_WHITESPACE = (_I.SPACE, _I.BREAK)
_NUMBER_INPUTS = (_I.MINUS, _I.DIGIT, _I.NUMBER_PART)
_CHARACTERS = tuple(i for i in JSONInput if i not in (_I.FEED, _I.END))
_STRING_INPUTS = tuple(
    i for i in _CHARACTERS if i not in (_I.QUOTE, _I.BACKSLASH, _I.CONTROL, _I.BREAK)
)
_LIVE_STATES = tuple(s for s in PartialJSONState if s not in (_S.CLOSED, _S.FAILED, _S.AFTER_VALUE))
_DEAD_STATES = frozenset({_S.CLOSED, _S.FAILED})
_DONE_STATES = frozenset({_S.COMPLETE, _S.CLOSED})


def _rows(
    state: PartialJSONState, inputs: tuple[JSONInput, ...], handler: Handler, end: PartialJSONState
) -> dict[tuple[PartialJSONState, JSONInput], Row]:
    return {(state, i): (handler, end) for i in inputs}


def _value_rows(state: PartialJSONState) -> dict[tuple[PartialJSONState, JSONInput], Row]:
    """The rows of a state where a value may start."""
    return {
        **_rows(state, _WHITESPACE, _P._skip_space, state),
        (state, _I.OPEN_BRACE): (_P._open_object, _S.FIRST_KEY),
        (state, _I.OPEN_BRACKET): (_P._open_array, _S.FIRST_ITEM),
        (state, _I.QUOTE): (_P._open_string, _S.IN_STRING),
        **_rows(state, (_I.MINUS, _I.DIGIT), _P._start_number, _S.IN_NUMBER),
        (state, _I.LITERAL): (_P._literal, _S.AFTER_VALUE),
    }


def _string_rows(
    state: PartialJSONState, end: Handler, after: PartialJSONState
) -> dict[tuple[PartialJSONState, JSONInput], Row]:
    """The rows inside a string: runs of plain characters, escapes, the closing quote."""
    return {
        **_rows(state, _STRING_INPUTS, _P._string_run, state),
        (state, _I.BACKSLASH): (_P._escape, state),
        (state, _I.QUOTE): (end, after),
    }


def _between_rows(
    state: PartialJSONState, closer: JSONInput, after_comma: PartialJSONState
) -> dict[tuple[PartialJSONState, JSONInput], Row]:
    """The rows after an item or a member: whitespace, ``,`` or the closing bracket."""
    return {
        **_rows(state, _WHITESPACE, _P._skip_space, state),
        (state, _I.COMMA): (_P._skip, after_comma),
        (state, closer): (_P._close_container, _S.AFTER_VALUE),
    }


#: ``(state, input) -> (handler, next state)``. A missing row raises RemoteProtocolError
#: in a live state (the text broke JSON) and LocalProtocolError in CLOSED or FAILED.
PARTIAL_JSON_TRANSITIONS: dict[tuple[PartialJSONState, JSONInput], Row] = {
    **{(s, _I.FEED): (_P._nothing, s) for s in _LIVE_STATES},
    **_value_rows(_S.VALUE),
    **_value_rows(_S.FIRST_ITEM),
    (_S.FIRST_ITEM, _I.CLOSE_BRACKET): (_P._close_container, _S.AFTER_VALUE),
    **_rows(_S.FIRST_KEY, _WHITESPACE, _P._skip_space, _S.FIRST_KEY),
    (_S.FIRST_KEY, _I.QUOTE): (_P._open_key, _S.IN_KEY),
    (_S.FIRST_KEY, _I.CLOSE_BRACE): (_P._close_container, _S.AFTER_VALUE),
    **_rows(_S.KEY, _WHITESPACE, _P._skip_space, _S.KEY),
    (_S.KEY, _I.QUOTE): (_P._open_key, _S.IN_KEY),
    **_string_rows(_S.IN_KEY, _P._end_key, _S.COLON),
    **_rows(_S.COLON, _WHITESPACE, _P._skip_space, _S.COLON),
    (_S.COLON, _I.COLON): (_P._skip, _S.VALUE),
    **_string_rows(_S.IN_STRING, _P._end_string, _S.AFTER_VALUE),
    **_rows(_S.IN_NUMBER, _NUMBER_INPUTS, _P._number_run, _S.IN_NUMBER),
    **_rows(
        _S.IN_NUMBER,
        (*(i for i in _CHARACTERS if i not in _NUMBER_INPUTS), _I.END),
        _P._end_number,  # uses no character: the next state reads it
        _S.AFTER_VALUE,
    ),
    **_between_rows(_S.AFTER_ITEM, _I.CLOSE_BRACKET, _S.VALUE),
    **_between_rows(_S.AFTER_MEMBER, _I.CLOSE_BRACE, _S.KEY),
    **_rows(_S.COMPLETE, _WHITESPACE, _P._skip_space, _S.COMPLETE),
    (_S.COMPLETE, _I.END): (_P._nothing, _S.CLOSED),
}

#: Where :attr:`PartialJSONState.AFTER_VALUE` goes, by the type of the enclosing
#: container (``None``: the value was the top-level value).
AFTER_VALUE_TARGETS: dict[type | None, PartialJSONState] = {
    list: _S.AFTER_ITEM,
    dict: _S.AFTER_MEMBER,
    None: _S.COMPLETE,
}

#: What each live state expects, for error messages.
EXPECTED: dict[PartialJSONState, str] = {
    _S.VALUE: "a value",
    _S.FIRST_ITEM: "a value or ']'",
    _S.FIRST_KEY: "a key (a string) or '}'",
    _S.KEY: "a key (a string)",
    _S.IN_KEY: "the rest of the key (control characters must be escaped)",
    _S.COLON: "':' after the key",
    _S.IN_STRING: "the rest of the string (control characters must be escaped)",
    _S.IN_NUMBER: "the rest of the number",
    _S.AFTER_ITEM: "',' or ']'",
    _S.AFTER_MEMBER: "',' or '}'",
    _S.COMPLETE: "the end of the text (only whitespace may follow the value)",
}

_AFTER_VALUE = _S.AFTER_VALUE

#: The table by state, then input.
_ROWS: dict[PartialJSONState, dict[JSONInput, Row]] = {s: {} for s in PartialJSONState}
for (_state, _input), _row in PARTIAL_JSON_TRANSITIONS.items():
    _ROWS[_state][_input] = _row

#: The table composed with :func:`classify`, for the hot loop: by state, the row of each
#: character that has a class of its own (``None``: no row), and the row of ``OTHER``.
_DISPATCH: dict[PartialJSONState, tuple[dict[str, Row | None], Row | None]] = {
    s: ({c: _ROWS[s].get(i) for c, i in _CLASSES.items()}, _ROWS[s].get(_I.OTHER))
    for s in PartialJSONState
}


def state_diagram() -> str:
    """A Mermaid diagram of the machine, drawn from the tables (the docs show it)."""
    edges: dict[tuple[str, str], list[str]] = {}
    for (state, event), (_, next_state) in PARTIAL_JSON_TRANSITIONS.items():
        if event is not _I.FEED:  # every live state takes FEED and stays
            edges.setdefault((state.name, next_state.name), []).append(event.name)
    lines = [
        "stateDiagram-v2",
        f"    state {_S.AFTER_VALUE.name} <<choice>>",
        f"    [*] --> {_S.VALUE.name}",
    ]
    lines += [f"    {a} --> {b}: {', '.join(names)}" for (a, b), names in edges.items()]
    for container, target in AFTER_VALUE_TARGETS.items():
        where = "top level" if container is None else f"in a {container.__name__}"
        lines.append(f"    {_S.AFTER_VALUE.name} --> {target.name}: {where}")
    return "\n".join(lines)


__all__ = [
    "AFTER_VALUE_TARGETS",
    "DEFAULT_MAX_DEPTH",
    "EXPECTED",
    "JSONInput",
    "PARTIAL_JSON_TRANSITIONS",
    "PartialJSON",
    "PartialJSONState",
    "classify",
    "parse_partial",
    "state_diagram",
]
