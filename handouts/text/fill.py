"""Fill Jinja2 placeholders with values kept as data, never as markup.

Every `{{ ... }}` is replaced by an opaque token; the Markdown parser sees
only tokens, and the parsed text gets the values back afterwards. So a value
such as `**x**`, `<b>` or `{{ y }}` prints exactly as typed.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import (
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
    pass_context,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..errors import ContentError
from ..load.content import Source
from ..load.values import clean_value

TOKEN_START, TOKEN_END = "\ue000", "\ue001"
_TOKEN = re.compile(f"{TOKEN_START}(\\d+){TOKEN_END}")
_RESERVED = re.compile("[\ue000-\ue001]")


class _NoValue(Exception):
    pass


@dataclass(frozen=True)
class Filled:
    """A filled body: Markdown text with tokens, and the values they stand for."""

    text: str
    values: tuple[str, ...]

    def restore(self, text: str) -> str:
        return _TOKEN.sub(lambda m: self.values[int(m.group(1))], text)


def tel_target(phone: object) -> str:
    """'(512) 555-0142' -> '+15125550142', for tel: links."""
    text = str(phone)
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+"):
        return "+" + digits
    return "+1" + digits if len(digits) == 10 else digits


@pass_context
def _tokenize(context, value: object) -> str:
    """Every {{ ... }} becomes a token; the value itself waits in the render's value list."""
    if value is None:
        raise _NoValue()
    values = context[_VALUES]
    values.append(clean_value(value))
    return f"{TOKEN_START}{len(values) - 1}{TOKEN_END}"


_VALUES = "__handouts_values__"
_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, finalize=_tokenize, autoescape=False,
                                     keep_trailing_newline=True)
_ENV.filters["tel"] = tel_target


@lru_cache(maxsize=64)
def _template(body: str):
    return _ENV.from_string(body)  # compiled once per body: packets fill the same templates again and again


def fill(source: Source, context: dict) -> Filled:
    values: list[str] = []
    reserved = _RESERVED.search(source.body)
    if reserved:
        raise _error(source, source.body.count("\n", 0, reserved.start()) + 1,
                     "contains private-use characters U+E000/U+E001", "reserved-character", "remove them")
    try:
        text = _template(source.body).render(**context, **{_VALUES: values})
    except TemplateSyntaxError as exc:
        raise _error(source, exc.lineno, exc.message, "template-syntax", "fix the template syntax") from None
    except (UndefinedError, _NoValue) as exc:
        detail = exc.message if isinstance(exc, UndefinedError) else "a placeholder is empty"
        raise _error(source, _template_line(exc), f"placeholder has no value ({detail})", "placeholder-empty",
                     "give the value (the patient's name, the appointment, the clinic profile) "
                     "or wrap it in {% if ... %}") from None
    except SecurityError as exc:
        raise _error(source, _template_line(exc), f"not allowed in a template ({exc})", "template-not-allowed",
                     "use only placeholders, {% if %} and {% for %}") from None
    except TemplateError as exc:
        raise _error(source, _template_line(exc), str(exc), "template-error", "fix the template there") from None
    return Filled(text, tuple(values))


def _error(source: Source, body_line: int | None, message: str, rule: str, hint: str) -> ContentError:
    return ContentError(message, source=str(source.path), line=_file_line(source, body_line), rule=rule, hint=hint)


def _file_line(source: Source, body_line: int | None) -> int | None:
    return source.body_line + body_line - 1 if body_line else None


def _template_line(exc: BaseException) -> int | None:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<template>"]
    return frames[-1].lineno if frames else None
