"""What can go wrong, as data: a `Finding` says where, which rule, and what to do.

Exceptions carry a `Finding` instead of a pre-formatted string, so callers
(lint, check, the CLI) read fields, never parse messages. The CLI alone turns
them into lines on stderr, exit codes, and hints that name its own flags.
"""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import asdict, dataclass

# Bidi controls are format characters (Cf) too; listed so that the intent is plain.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_UNPRINTABLE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def terminal_safe(text: object) -> str:
    """`text` with every control, format, bidi or separator character shown as a visible escape (\\x1b),
    so that nothing echoed can drive a terminal or reorder a line."""
    return "".join(_visible(ch) for ch in str(text))


def _visible(ch: str) -> str:
    if ch not in BIDI_CONTROLS and unicodedata.category(ch) not in _UNPRINTABLE:
        return ch
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def rows_text(numbers, most: int = 8) -> str:
    """Spreadsheet rows, as every message names them: 'row 4', 'rows 2, 3 and 5', 'rows 2, 3, … 9 and 4 more'."""
    listed = [str(n) for n in sorted(numbers)]
    if len(listed) == 1:
        return f"row {listed[0]}"
    last = f"{len(listed) - most} more" if len(listed) > most else listed[-1]
    return f"rows {', '.join(listed[:min(most, len(listed) - 1)])} and {last}"


@dataclass(frozen=True)
class Finding:
    """One problem at one place."""

    message: str  # what is wrong, in plain words; never a patient's value
    source: str | None = None  # a file path, "roster row 4", "patient name" ...
    line: int | None = None  # 1-based, where known
    column: int | None = None  # 1-based, where known
    rule: str = "error"  # a short id, e.g. "long-sentence", "PDF/UA 7.1-1"
    hint: str | None = None  # what to do about it
    key: str | None = None  # the setting it is about ("body_size", "margins.top"), so tools can find it
    detail: str | None = None  # the raw text behind it, e.g. a validator's own message

    @property
    def location(self) -> str:
        parts = [self.source or ""]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = self.message + (f"; {self.hint}" if self.hint else "")
        return f"{self.location}: {text}" if self.source else text

    def to_dict(self) -> dict:
        return asdict(self)


class HandoutsError(Exception):
    """A problem the user can fix: one or more findings."""

    exit_code = 2

    def __init__(self, message: str = "", *, source: str | None = None, line: int | None = None,
                 column: int | None = None, rule: str = "error", hint: str | None = None,
                 key: str | None = None, findings: list[Finding] | None = None):
        self.findings = findings or [Finding(message, None if source is None else str(source), line, column,
                                             rule, hint, key)]
        super().__init__(self.message)

    @property
    def finding(self) -> Finding:
        return self.findings[0]

    @property
    def message(self) -> str:
        return "\n".join(str(f) for f in self.findings)


class ContentError(HandoutsError):
    """A content file, template or placeholder is wrong."""


class LayoutError(HandoutsError):
    """A layout file is missing, malformed or breaks a large-print rule."""


class ProfileError(HandoutsError):
    """The clinic profile is missing or malformed."""


class LocaleError(HandoutsError):
    """A file of the program's own words (`handouts/locales/<language>.yaml`) is missing or malformed."""


class InputError(HandoutsError):
    """A command-line value, roster or output location is wrong."""


class OutputError(HandoutsError):
    """A file could not be written, renamed or removed: a full disk, a folder that stopped taking files."""


class UnsupportedCharacterError(HandoutsError):
    """A value holds characters that no configured font can draw."""


class InternalError(Exception):
    """A broken invariant inside handouts: a bug to report, never a bad file written."""

    def __init__(self, message: str):
        super().__init__(f"{message} (this is a bug in handouts; please report it)")


def internal_error_log() -> str:
    """Write the exception being handled to a temporary log (readable by its owner) and return its path.

    Where it happened (the traceback's frames) and the exception's type; never its message, which could hold a
    patient's value. For a face (the command line, the console) to name in its one line about a bug."""
    import tempfile  # imported here: only a bug needs them, and every command imports this module
    import traceback

    with tempfile.NamedTemporaryFile("w", prefix="handouts-error-", suffix=".log", delete=False) as log:
        kind, _, trace = sys.exc_info()
        log.writelines(traceback.format_list(traceback.extract_tb(trace)))
        log.write(f"{kind.__module__}.{kind.__qualname__} (its message is not written: it may hold patient data)\n")
    return log.name


class AddressingError(InternalError):
    """An email that would not go from its one sender to its one recipient alone: it is never handed over.

    Addresses are checked before any email is made, so this is a bug; `finding` says which rule the headers
    broke, without an address in it.
    """

    def __init__(self, message: str, rule: str):
        super().__init__(message)
        self.finding = Finding(message, "email headers", rule=rule)
