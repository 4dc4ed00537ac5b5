"""Fill Jinja2 placeholders with values kept as data, never as markup.

Every `{{ ... }}` is replaced by an opaque token; the Markdown parser sees
only tokens, and the parsed text gets the values back afterwards. So a value
such as `**x**`, `<b>` or `{{ y }}` prints exactly as typed.

Templates run in Jinja2's immutable sandbox, with limits so that no template,
however written, can hang a build or fill the memory:

- only placeholders, `{% if %}`, `{% for %}`, `{% set x = ... %}` and
  `{% with %}`: no include, import, extends, macros or other blocks (a handout
  is one file, and without blocks all output streams through one place);
- a small set of filters, no string methods that pad or repeat, and `*`, `**`,
  `+` and `%` checked before they run;
- a budget of steps (loop turns and calls) per fill, `range()` of at most
  `MAX_RANGE` numbers, and at most `MAX_OUTPUT` characters of filled text.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache, wraps

from jinja2 import (
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
    nodes,
    pass_context,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.visitor import NodeTransformer

from ..errors import ContentError
from ..load.content import Source
from ..load.values import clean_value
from . import template_cache

TOKEN_START, TOKEN_END = "\ue000", "\ue001"
_TOKEN = re.compile(f"{TOKEN_START}(\\d+){TOKEN_END}")
_RESERVED = re.compile("[\ue000-\ue001]")

MAX_OUTPUT = 256_000  # characters of filled text (and of values) per document; a handout is ~10,000
MAX_STEPS = 100_000  # loop turns and calls per fill; a handout takes a few dozen
MAX_RANGE = 10_000  # numbers in one range()
MAX_LENGTH = 256_000  # characters or items in any one text or list a template makes
MAX_BITS = 64  # whole numbers a template computes stay below 2**64
_STATEMENTS = (nodes.Output, nodes.If, nodes.For, nodes.Assign, nodes.With)
_TAG_NAMES = {  # what the author wrote, for the message
    nodes.Extends: "extends", nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from",
    nodes.Macro: "macro", nodes.CallBlock: "call", nodes.FilterBlock: "filter", nodes.Block: "block",
    nodes.AssignBlock: "set … endset", nodes.ScopedEvalContextModifier: "autoescape",
}
_FILTERS = ("default", "d", "length", "count", "first", "last", "int", "round", "abs")
_TEXT_FILTERS = ("upper", "lower", "capitalize", "title", "trim", "string")  # these print their value whole
# String methods that make text far longer than their inputs ("x".center(10**9)); the rest are harmless.
_AMPLIFYING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map", "join",
                         "replace", "translate"})
_ALLOWED_HINT = "use only placeholders, {% if %}, {% for %} and {% set %}"


class _NoValue(Exception):
    pass


class _Refused(Exception):
    """Something a handout template may not do or ask for: found while compiling, or while running (then
    the line comes from the traceback)."""

    def __init__(self, message: str, rule: str = "template-too-big", hint: str = "make the template simpler",
                 line: int | None = None):
        super().__init__(message)
        self.message, self.rule, self.hint, self.line = message, rule, hint, line


class PatientValue(str):
    """A patient's value for a template (a name, the appointment in words), with `reserve`: patient-free text as wide
    as such a value is expected to be at most. Its token says so when it is filled, so the text that shows it is
    known by construction (`Filled.reserved`), and laid out in the room of the reserve where that is wider."""

    reserve: str

    def __new__(cls, text: str, reserve: str) -> PatientValue:
        made = super().__new__(cls, text)
        made.reserve = reserve
        return made


@dataclass(frozen=True)
class Filled:
    """A filled body: Markdown text with tokens, the values they stand for, and the reserves of those that are a
    patient's (by token number)."""

    text: str
    values: tuple[str, ...]
    reserves: tuple[tuple[int, str], ...] = ()
    # Set when the fill's patient-free part was, or could be, kept (`FillShape`): what is made from it alone (the
    # parse of the text with the patient's values left as tokens, the skeleton's digests) is kept with it.
    shape: FillShape | None = field(default=None, compare=False, repr=False)

    def restore(self, text: str) -> str:
        return _TOKEN.sub(lambda m: self.values[int(m.group(1))], text)

    def reserved(self, text: str) -> str | None:
        """`text` (with tokens) restored with each patient value's reserve in its place; None: it shows none."""
        reserves = dict(self.reserves)
        if not any(int(m.group(1)) in reserves for m in _TOKEN.finditer(text)):
            return None
        return _TOKEN.sub(lambda m: reserves.get(int(m.group(1)), self.values[int(m.group(1))]), text)

    def patient_free(self) -> tuple[str, tuple[tuple[bool, str], ...]]:
        """The text with its tokens and, for each token in order, (False, its value) or, for a patient's value,
        (True, its reserve): everything of the fill but the patient's values (`pipeline.load_document`'s skeleton)."""
        reserves = dict(self.reserves)
        return self.text, tuple([(True, reserves[index]) if index in reserves else (False, value)
                                 for index, value in enumerate(self.values)])

    @staticmethod
    def as_written(text: str) -> str:
        """`text` with placeholders shown as '{{ … }}': for messages, which never show a value."""
        return _TOKEN.sub("{{ … }}", text)


_EXTENSION = re.compile(r"\s*(?:;\s*ext=|\b(?:extension|ext|x)\.?:?)\s*(\d+)\s*$", re.IGNORECASE)


def tel_target(phone: object) -> str:
    """A phone number as a tel: target (RFC 3966): '(512) 555-0142 x12' -> '+15125550142;ext=12'.

    Ten digits are a North American number (+1 is added); a number written with '+' keeps its
    country code; anything else (911, a local number) is dialled as written.
    """
    text = str(phone).strip()
    extension = _EXTENSION.search(text)
    if extension:
        text = text[:extension.start()]
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        number = "+" + digits
    elif len(digits) == 10:
        number = "+1" + digits
    elif len(digits) == 11 and digits.startswith("1"):
        number = "+" + digits
    else:
        number = digits
    return f"{number};ext={extension.group(1)}" if extension and digits else number


# --- limits: what a running template may spend and make --------------------------------------------


class _Budget:
    """What one fill may still spend."""

    def __init__(self):
        self.steps = MAX_STEPS
        self.value_chars = MAX_OUTPUT

    def step(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise _Refused(f"the template takes more than {MAX_STEPS:,} steps (loop turns and calls)",
                         hint="loop over fewer things")


_VALUES, _BUDGET, _RESERVES = "__handouts_values__", "__handouts_budget__", "__handouts_reserves__"
_SHOWN = "__handouts_shown__"  # (token number, the PatientValue printed there): read only by `fill`
_TURNS, _CONCAT = "__handouts_turns__", "__handouts_concat__"  # called by the compiled template (see _template)


@pass_context
def _tokenize(context, value: object) -> str:
    """Every {{ ... }} becomes a token; the value itself waits in the render's value list."""
    if value is None:
        raise _NoValue()
    _require_one_value(value, "a placeholder")
    values, budget = context[_VALUES], context[_BUDGET]
    text = clean_value(value)
    budget.value_chars -= len(text)
    if budget.value_chars < 0:
        raise _Refused(f"the placeholders hold more than {MAX_OUTPUT:,} characters", hint="print fewer values")
    values.append(text)
    if isinstance(value, PatientValue):
        context[_RESERVES].append((len(values) - 1, value.reserve))
        context[_SHOWN].append((len(values) - 1, value))
    return f"{TOKEN_START}{len(values) - 1}{TOKEN_END}"


@pass_context
def _turns(context, iterable):
    """Every {% for %} loops through here (see _template): each turn is a step."""
    budget = context[_BUDGET]
    for item in iterable:
        budget.step()
        yield item


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise _Refused(f"range() of {len(numbers):,} numbers is more than {MAX_RANGE:,}", hint="use a smaller range")
    return numbers


def _concat(*parts) -> str:
    """Every '~' runs through here (see _template): one value each side, and a bounded result."""
    for part in parts:
        _require_one_value(part, "'~'")
    if sum(len(str(part)) for part in parts) > MAX_LENGTH:
        raise _Refused(f"'~' makes a text longer than {MAX_LENGTH:,}", hint="join fewer things")
    return "".join(str(part) for part in parts)


def _require_one_value(value, where: str) -> None:
    """Text, a number or a date: never a list or mapping, whose text could be far larger than its memory."""
    if isinstance(value, (list, tuple, dict, set, frozenset, range)) or hasattr(value, "__next__"):
        raise _Refused(f"{where} takes one value, not a list or mapping", "template-error",
                     "print one value at a time, e.g. inside {% for %}")


def _one_value_filter(name: str, function):
    """A text filter that refuses lists and mappings (it would print them whole)."""

    @wraps(function)
    def checked(value, *args, **kwargs):
        _require_one_value(value, f"the filter '{name}'")
        return function(value, *args, **kwargs)

    return checked


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, plus limits on calls, string methods and the operators that can explode."""

    # Intercepted operators also escape constant folding, which would run them while compiling.
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def wrap_str_format(self, value):
        return None  # str.format and format_map are refused by is_safe_attribute instead of sandboxed

    def is_safe_attribute(self, obj, attr, value) -> bool:
        if isinstance(obj, str) and attr in _AMPLIFYING:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def call(self, context, obj, /, *args, **kwargs):
        context[_BUDGET].step()
        result = super().call(context, obj, *args, **kwargs)
        _check_size(result)
        return result

    def call_binop(self, context, operator: str, left, right):
        context[_BUDGET].step()
        _check_binop(operator, left, right)
        try:
            result = super().call_binop(context, operator, left, right)
        except OverflowError:
            raise _Refused(f"a number in '{operator}' is too large", hint="use smaller numbers") from None
        _check_size(result)
        return result


def _check_binop(op: str, left, right) -> None:
    """Refuse, before it runs, an operation whose result would be huge."""
    if op == "%" and isinstance(left, str):
        raise _Refused("formatting text with '%' is not allowed in a handout template", "template-not-allowed",
                     "join text with '~' instead")
    if op == "**" and _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1 \
            and right * abs(left).bit_length() > MAX_BITS + 1:
        raise _Refused(f"'**' makes a number larger than 2**{MAX_BITS}", hint="use smaller numbers")
    if op == "*":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and _is_int(count) and len(seq) * count > MAX_LENGTH:
                raise _Refused(f"'*' makes a text or list longer than {MAX_LENGTH:,}", hint="repeat it fewer times")
    if op == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)) \
            and len(left) + len(right) > MAX_LENGTH:
        raise _Refused(f"'+' makes a text or list longer than {MAX_LENGTH:,}", hint="join fewer things")


def _check_size(result) -> None:
    if isinstance(result, (str, list, tuple, dict)) and len(result) > MAX_LENGTH:
        raise _Refused(f"the template makes a text or list longer than {MAX_LENGTH:,}", hint="make it smaller")
    if _is_int(result) and result.bit_length() > MAX_BITS:
        raise _Refused(f"the template makes a number larger than 2**{MAX_BITS}", hint="use smaller numbers")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_ENV = _Sandbox(undefined=StrictUndefined, finalize=_tokenize, autoescape=False, keep_trailing_newline=True)
_ENV.filters = {**{name: _ENV.filters[name] for name in _FILTERS},
                **{name: _one_value_filter(name, _ENV.filters[name]) for name in _TEXT_FILTERS},
                "tel": _one_value_filter("tel", tel_target)}
_ENV.globals = {"range": _range, "dict": dict, _TURNS: _turns, _CONCAT: _concat}


# --- compiling: only what a handout needs, with every loop and '~' routed through the limits ---------


@lru_cache(maxsize=64)
def _template(body: str):
    """Parse, check and compile a body once: packets fill the same templates again and again. The compiled code
    is kept on disk for the next run, keyed by the body and this module (`template_cache`): what `from_string`
    would make of it, without compiling it again."""
    code = template_cache.load(body)
    if code is None:
        tree = _ENV.parse(body)
        _check_tree(tree)
        for loop in tree.find_all(nodes.For):
            loop.iter = _call(_TURNS, [loop.iter], loop.lineno)
        tree = _ConcatCalls().visit(tree)
        tree.set_environment(_ENV)
        code = _ENV.compile(tree)
        template_cache.store(body, code)
    return _ENV.template_class.from_code(_ENV, code, _ENV.make_globals(None), None)


def _call(name: str, args: list, lineno: int) -> nodes.Call:
    return nodes.Call(nodes.Name(name, "load", lineno=lineno), args, [], None, None, lineno=lineno)


class _ConcatCalls(NodeTransformer):
    """'a ~ b' becomes a call to _concat, which Jinja2 would otherwise run unchecked."""

    def visit_Concat(self, node: nodes.Concat) -> nodes.Call:
        return _call(_CONCAT, [self.visit(part) for part in node.nodes], node.lineno)


def _check_tree(tree: nodes.Template) -> None:
    """Refuse every statement but the few a handout needs, and names that reach the fill's own state."""
    for node in tree.find_all(nodes.Stmt):
        if isinstance(node, nodes.Scope):
            continue  # made only around {% autoescape %}, whose own node is refused with its line
        if not isinstance(node, _STATEMENTS) or (isinstance(node, nodes.For) and node.recursive):
            tag = "for … recursive" if isinstance(node, nodes.For) else _TAG_NAMES.get(type(node),
                                                                                      type(node).__name__.lower())
            raise _Refused(f"{{% {tag} %}} is not allowed in a handout template", "template-not-allowed",
                           _ALLOWED_HINT, node.lineno)
    for node in tree.find_all(nodes.Name):
        if node.name.startswith("_"):
            raise _Refused(f"the name '{node.name}' is not allowed in a handout template", "template-not-allowed",
                           "use clinic, patient and appointment", node.lineno)


# --- filling -------------------------------------------------------------------------------------------


def fill(source: Source, context: dict) -> Filled:
    values: list[str] = []
    reserves: list[tuple[int, str]] = []
    shown: list[tuple[int, PatientValue]] = []
    reserved = _reserved_at(source.body)
    if reserved is not None:
        raise _error(source, source.body.count("\n", 0, reserved) + 1,
                     "contains private-use characters U+E000/U+E001", "reserved-character", "remove them")
    patient_free = _patient_free_context(context)
    made = _from_shape(source.body, patient_free, context)
    if made is not None:
        return made
    try:
        template = _template(source.body)
        text = _render(template, {**context, _VALUES: values, _BUDGET: _Budget(), _RESERVES: reserves,
                                  _SHOWN: shown})
    except _Refused as exc:
        raise _error(source, exc.line or _template_line(exc), exc.message, exc.rule, exc.hint) from None
    except TemplateSyntaxError as exc:
        if exc.message and exc.message.startswith("No filter named"):
            raise _error(source, exc.lineno, f"{exc.message.rstrip('.')} in a handout template",
                         "template-not-allowed", f"use one of: {', '.join(sorted(_ENV.filters))}") from None
        raise _error(source, exc.lineno, exc.message, "template-syntax", "fix the template syntax") from None
    except (UndefinedError, _NoValue) as exc:
        detail = exc.message if isinstance(exc, UndefinedError) else "a placeholder is empty"
        raise _error(source, _template_line(exc), f"placeholder has no value ({detail})", "placeholder-empty",
                     "give the value (the patient's name, the appointment, the clinic profile) "
                     "or wrap it in {% if ... %}") from None
    except SecurityError as exc:
        raise _error(source, _template_line(exc), f"not allowed in a handout template ({exc})",
                     "template-not-allowed", _ALLOWED_HINT) from None
    except TemplateError as exc:
        raise _error(source, _template_line(exc), str(exc), "template-error", "fix the template there") from None
    except RecursionError:  # a deeply nested expression: too deep for Jinja2's parser
        raise _error(source, None, "the template is nested too deeply", "template-too-big",
                     "make the template simpler") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        line = _template_line(exc)
        if line is None:  # raised by handouts itself, not by the template: a bug, reported as one
            raise
        # The template's own mistake, e.g. {{ "x" - 1 }} or {{ 1 / 0 }}. Only type errors and arithmetic
        # say what is wrong: other messages can quote a value, which might be a patient's.
        detail = f"{exc}" if isinstance(exc, (TypeError, ArithmeticError)) else type(exc).__name__
        raise _error(source, line, f"the template cannot be filled ({detail})", "template-error",
                     "fix the template there") from None
    shape = None if patient_free is None else _keep_shape(source.body, patient_free, text, values, reserves, shown)
    return Filled(text, tuple(values), tuple(reserves), shape)


@lru_cache(maxsize=64)  # keyed by the body: clinic content
def _reserved_at(body: str) -> int | None:
    """Where the body holds a private-use character U+E000/U+E001 (a token's), or None."""
    found = _RESERVED.search(body)
    return found.start() if found else None


def _render(template, context: dict) -> str:
    """The template's output as it streams, stopped at MAX_OUTPUT characters."""
    parts, size = [], 0
    stream = template.generate(context)
    for part in stream:
        size += len(part)
        if size > MAX_OUTPUT:
            line = _suspended_line(stream, template)
            stream.close()
            raise _Refused(f"the filled document is longer than {MAX_OUTPUT:,} characters",
                         hint="shorten the text or the loops", line=line)
        parts.append(part)
    return "".join(parts)


def _suspended_line(stream, template) -> int | None:
    """The template line a paused render stands at (Template.generate delegates to the compiled code)."""
    frame = getattr(getattr(stream, "gi_yieldfrom", None), "gi_frame", None)
    return template.get_corresponding_lineno(frame.f_lineno) if frame else None


def _error(source: Source, body_line: int | None, message: str, rule: str, hint: str) -> ContentError:
    return ContentError(message, source=str(source.path), line=_file_line(source, body_line), rule=rule, hint=hint)


def _file_line(source: Source, body_line: int | None) -> int | None:
    return source.body_line + body_line - 1 if body_line else None


def _template_line(exc: BaseException) -> int | None:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<template>"]
    return frames[-1].lineno if frames else None


# --- the patient-free part of a fill, kept -------------------------------------------------------------
#
# A template that does nothing with a patient's value but print it whole (`{{ patient.name }}`, `{{ appointment }}`)
# or test it bare (`{% if appointment %}`) fills the same text, the same other values and the same token numbers
# for every patient whose values are present or empty alike: what it makes is a function of the patient-free part
# of its context (every other value; of each patient value, whether it is None, empty, or empty once cleaned, and its
# reserve). That part is kept (`FillShape`), and each fill from it puts the patient's values, cleaned as `_tokenize`
# cleans them, at their tokens. Any other template, or context, is filled by Jinja2 every time.


@dataclass(eq=False)
class FillShape:
    """A fill without its patient's values: the text with its tokens, every value but the patient's (None in their
    place), the reserves, and where each patient value came from (token number, (context name, key or None)).
    `derived`: what is made from it and a source alone (parse, skeleton), keyed by its maker: patient-free too."""

    text: str
    values: tuple[str | None, ...]
    reserves: tuple[tuple[int, str], ...]
    slots: tuple[tuple[int, tuple[str, str | None]], ...]
    chars: int  # characters of the values that are not the patient's (MAX_OUTPUT counts them with the patient's)
    derived: dict = field(default_factory=dict)


# Keyed by the body and the patient-free part of the context (no patient value: each stands as its state and
# reserve); holds FillShapes, which hold no patient value. Kept for the whole run, emptied when full.
_SHAPES: dict[tuple[str, tuple], FillShape] = {}
_SHAPES_MAX = 256
_PLAIN = (str, int, float, bool, type(None), date, datetime)
_TEXT, _TEXT_OR_NONE = {str}, {str, type(None)}


class _NotPlain(Exception):
    pass


def _patient_free_context(context: dict):
    """(the context's patient-free key, its patient values' slots {(name, key): value}), or None: the context holds
    no patient value, or holds one anywhere but as a top-level value or a value of a top-level dict, or holds a
    value whose text its key could not tell apart (anything but plain text, numbers, dates, lists and dicts)."""
    slots: dict[tuple[str, str | None], PatientValue] = {}
    key = []
    try:
        for name, value in context.items():
            if isinstance(value, PatientValue):
                slots[(name, None)] = value
                key.append((name, _state(value)))
            elif type(value) is dict and any(isinstance(item, PatientValue) for item in value.values()):
                if not all(isinstance(item, PatientValue) for item in value.values()):
                    return None
                slots.update({(name, item): value[item] for item in value})
                key.append((name, "patient", tuple((item, _state(value[item])) for item in value)))
            else:
                key.append((name, _plain(value)))
    except _NotPlain:
        return None
    return (tuple(key), slots) if slots else None


def _state(value: PatientValue) -> tuple:
    """All a template that only prints or tests a patient value sees of it (with the cleaned text's emptiness,
    which decides whether its span is there after parsing). Kept on the value itself, for the other documents of its
    packet."""
    state = value.__dict__.get("_state")  # a name the sandbox keeps from templates (it starts with "_")
    if state is None:
        state = value.__dict__["_state"] = ("patient value", bool(value), bool(clean_value(value)), value.reserve)
    return state


def _plain(value) -> tuple | str:
    kind = type(value)
    if kind is str:
        return value
    if kind in _PLAIN:
        return kind.__name__, value
    if kind in (list, tuple):
        return kind.__name__, tuple(_plain(item) for item in value)
    if _plain_dict(kind):
        items = tuple(value.items())
        if {*map(type, value)} <= _TEXT and {*map(type, value.values())} <= _TEXT_OR_NONE:
            return kind.__name__, items  # text and None tell themselves apart (a number would equal a flag)
        return kind.__name__, tuple((_plain(item), _plain(text)) for item, text in items)
    raise _NotPlain()


@lru_cache(maxsize=16)
def _plain_dict(kind: type) -> bool:
    """A dict, or a subclass that adds nothing a template can reach (`load.profile.ClinicProfile`: its own fields
    all start with '_', which the sandbox refuses)."""
    return issubclass(kind, dict) and all(name.startswith("_") for cls in kind.__mro__[:kind.__mro__.index(dict)]
                                          for name in vars(cls))


def _from_shape(body: str, patient_free, context: dict) -> Filled | None:
    """The fill made from a kept shape and this context's patient values; None: none kept, or they are more text
    than MAX_OUTPUT allows (Jinja2 fills it again, and says so as it always does)."""
    shape = None if patient_free is None else _SHAPES.get((body, patient_free[0]))
    if shape is None:
        return None
    values, chars = list(shape.values), shape.chars
    for index, (name, item) in shape.slots:
        value = context[name] if item is None else context[name][item]
        text = clean_value(value)
        chars += len(text)
        values[index] = text
    if chars > MAX_OUTPUT:
        return None
    return Filled(shape.text, tuple(values), shape.reserves, shape)


def _keep_shape(body: str, patient_free, text: str, values: list[str], reserves: list, shown: list
                ) -> FillShape | None:
    """Keep what this fill made without its patient's values, when the template only prints or tests them."""
    key, slots = patient_free
    uses = _patient_uses(body)
    if uses is None or not all(_only_shown(uses.get(name, ()), {item for named, item in slots if named == name})
                               for name in {name for name, _ in slots}):
        return None
    where = {id(value): slot for slot, value in slots.items()}
    if any(id(value) not in where for _, value in shown):  # a patient value from anywhere but its slot: never kept
        return None
    placed = tuple((index, where[id(value)]) for index, value in shown)
    patient = {index for index, _ in placed}
    kept = tuple(None if index in patient else value for index, value in enumerate(values))
    shape = FillShape(text, kept, tuple(reserves), placed, sum(len(value) for value in kept if value is not None))
    if len(_SHAPES) >= _SHAPES_MAX:
        _SHAPES.clear()
    _SHAPES[(body, key)] = shape
    return shape


def _only_shown(uses, items: set) -> bool:
    """Whether every use of a name that holds patient values is printing one of them whole (`{{ name }}` for a
    value, `{{ name.key }}` for a dict of them, by a key that is no attribute of a dict) or testing the name bare."""
    for use in uses:
        if use is None:
            return False
        kind, attribute = use
        if kind == "print" and (attribute not in items or (attribute is not None and hasattr(dict, attribute))):
            return False
    return True


@lru_cache(maxsize=64)
def _patient_uses(body: str) -> dict[str, frozenset] | None:
    """How the body uses each name it loads: ("print", None) for `{{ name }}`, ("print", key) for
    `{{ name.key }}`, ("test", None) for `{% if name %}`, None for anything else (a filter, an expression, an
    assignment, a loop, a call). None: the body does not parse (Jinja2 says why when it fills it)."""
    try:
        tree = _ENV.parse(body)
    except (TemplateError, RecursionError):
        return None
    allowed: dict[int, tuple[str, str | None]] = {}
    for output in tree.find_all(nodes.Output):
        for node in output.nodes:
            if isinstance(node, nodes.Name):
                allowed[id(node)] = ("print", None)
            elif isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
                allowed[id(node.node)] = ("print", node.attr)
    for condition in tree.find_all(nodes.If):
        if isinstance(condition.test, nodes.Name):
            allowed[id(condition.test)] = ("test", None)
    uses: dict[str, set] = {}
    for name in tree.find_all(nodes.Name):
        uses.setdefault(name.name, set()).add(allowed.get(id(name)) if name.ctx == "load" else None)
    return {name: frozenset(found) for name, found in uses.items()}
