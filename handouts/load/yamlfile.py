"""Safe YAML loading with messages that name the file and line.

Content, layouts and the clinic profile are small, flat 'key: value' files, so
anything beyond that is refused before it can cost time or memory: files over
`MAX_BYTES`, anchors and aliases (the "billion laughs" needs them), nesting
deeper than `MAX_DEPTH`, keys that are not plain names, and keys given twice.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, ScalarNode

from ..errors import Finding, HandoutsError

MAX_BYTES = 256_000  # far beyond any handout, layout or profile; refused before reading
MAX_DEPTH = 8  # 'heading_sizes: {1: 30}' is depth 2
_TEXT_TAG = "tag:yaml.org,2002:str"


class MappingData(dict):
    """A parsed top-level mapping that also knows the file line of each key, and of each nested mapping's keys
    (`paths`: ('roster', 'values', 'layout', 'Large print') -> line)."""

    def __init__(self, data: dict, lines: dict[str, int], paths: dict[tuple, int] | None = None):
        super().__init__(data)
        self.lines = lines
        self.paths = paths or {}


def read_text(path: Path, error: type[HandoutsError], what: str) -> str:
    """Read a UTF-8 text file, turning every failure into a clear `error`."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)  # bounded, so even a device such as /dev/zero cannot hang it
        if len(data) > MAX_BYTES:
            raise error(f"the {what} is larger than {MAX_BYTES:,} bytes", source=str(path), rule="file-too-large",
                        hint=f"check that this is the right file; a {what} is a few kilobytes")
        # Universal newlines, as text mode would give: CRLF files read like LF ones.
        return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except FileNotFoundError:
        raise error(f"{what} not found", source=str(path), rule="file-not-found",
                    hint="check the name and folder") from None
    except IsADirectoryError:
        raise error(f"is a folder, not a {what}", source=str(path), rule="file-is-folder",
                    hint=f"give the {what} itself") from None
    except UnicodeDecodeError as exc:
        raise error(f"byte {exc.start} is not UTF-8 text", source=str(path), rule="file-not-utf8",
                    hint=f"save the {what} as UTF-8") from None
    except OSError as exc:
        raise error(f"cannot read the {what} ({exc.strerror})", source=str(path), rule="file-unreadable",
                    hint="check that you may open it") from None


class _Refused(Exception):
    """Valid YAML that these files never need, at its place in the text."""

    def __init__(self, message: str, mark, rule: str, hint: str):
        super().__init__(message)
        self.message, self.mark, self.rule, self.hint = message, mark, rule, hint


class _Loader(yaml.SafeLoader):
    """Safe loading that refuses anchors, aliases and deep nesting while composing, before anything is built."""

    def __init__(self, text: str):
        super().__init__(text)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("anchors and aliases ('&name', '*name') are not allowed", event.start_mark,
                           "yaml-alias", "write each value out in full")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep", event.start_mark, "yaml-too-deep",
                           "write one 'key: value' per line")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError):
            # A date like 2026-02-30, or a whole number too long to read: a mistake in the file.
            raise _Refused(f"'{_shorten(node.value)}' is not a valid value", node.start_mark, "yaml-value",
                           "put it in quotes if it is text") from None


# libyaml's loader, where PyYAML was built with it: the same nodes and values for ordinary files, several times
# faster. Anything it cannot vouch for is read again by `_Loader`, whose answer (a value or a finding) is the one
# given: text with tabs, anchor or alias marks, characters PyYAML refuses or reads as line breaks, nesting too
# deep, and any error at all.
_CLoader = getattr(yaml, "CSafeLoader", None)
_UNUSUAL = re.compile("[\t&*\x85\u2028\u2029\ufeff]")
_NON_PRINTABLE = getattr(getattr(yaml.reader, "Reader", None), "NON_PRINTABLE", None)  # what PyYAML refuses
if _NON_PRINTABLE is None:
    _CLoader = None


def _parsed_fast(text: str, first_line: int) -> MappingData | None:
    """The mapping as `parse_mapping` makes it, by libyaml; None where `_Loader` must read it (see `_CLoader`)."""
    if _CLoader is None or _UNUSUAL.search(text) or _NON_PRINTABLE.search(text):
        return None
    loader = _CLoader(text)
    try:
        node = loader.get_single_node()
        if not isinstance(node, MappingNode) or _depth(node) > MAX_DEPTH:
            return None
        lines, paths = _key_lines(node, first_line), _nested_lines(node, first_line)
        data = loader.construct_document(node)
    except Exception:  # whatever it is, _Loader says it in its own words
        return None
    finally:
        loader.dispose()
    return MappingData(data, lines, paths) if isinstance(data, dict) else None


def _depth(node) -> int:
    """How deeply `node` nests, counted as `_Loader` counts while composing (the node itself is 1)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, MappingNode):
            stack += [(child, depth + 1) for pair in node.value for child in pair]
        elif not isinstance(node, ScalarNode):
            stack += [(child, depth + 1) for child in node.value]
    return deepest


def parse_mapping(text: str, source: str, error: type[HandoutsError], first_line: int = 1) -> MappingData:
    """Parse YAML that must be a mapping of plain names, with safe loading only.

    `first_line` is the file line of the text's first line (front matter sits inside a file).
    """
    fast = _parsed_fast(text, first_line)
    if fast is not None:
        return fast
    try:
        loader = _Loader(text)  # PyYAML refuses a control character here, before parsing
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position)
        raise error(f"character U+{exc.character:04X} is not allowed in YAML", source=source, line=line + first_line,
                    column=exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1, rule="yaml-character",
                    hint="remove it (a control character, often pasted by accident)") from None
    try:
        node = loader.get_single_node()
        lines = _key_lines(node, first_line) if isinstance(node, MappingNode) else {}
        paths = _nested_lines(node, first_line) if isinstance(node, MappingNode) else {}
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise error(exc.message, source=source, line=exc.mark.line + first_line, column=exc.mark.column + 1,
                    rule=exc.rule, hint=exc.hint) from None
    except yaml.YAMLError as exc:
        place = _error_place(exc, text)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise error(problem, source=source, line=place[0] + first_line if place else None,
                    column=place[1] + 1 if place and place[1] is not None else None, rule="yaml-syntax",
                    hint="fix the YAML syntax there") from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise error(f"expected 'key: value' lines, found {type(data).__name__}", source=source,
                    line=first_line if node is None else node.start_mark.line + first_line,
                    rule="yaml-not-mapping", hint="write one 'key: value' per line")
    return MappingData(data, lines, paths)


def load_mapping(path: Path, error: type[HandoutsError], what: str) -> MappingData:
    return parse_mapping(read_text(path, error, what), str(path), error)


def _key_lines(node: MappingNode, first_line: int) -> dict[str, int]:
    """The file line of each top-level key; a key that is not a plain name, or one given twice, is refused."""
    lines: dict[str, int] = {}
    for key, _ in node.value:
        line = key.start_mark.line + first_line
        if not isinstance(key, ScalarNode) or key.tag != _TEXT_TAG:
            what = f"'{_shorten(key.value)}'" if isinstance(key, ScalarNode) else "a list or mapping"
            raise _Refused(f"key {what} is not a name", key.start_mark, "yaml-key",
                           "write a name made of letters before the colon")
        if key.value in lines:
            raise _Refused(f"key '{_shorten(key.value)}' is given twice (first on line {lines[key.value]})",
                           key.start_mark, "yaml-duplicate-key", "keep one of them")
        lines[key.value] = line
    return lines


def _nested_lines(node: MappingNode, first_line: int, path: tuple = ()) -> dict[tuple, int]:
    """The file line of every key in nested mappings, by its path of scalar keys (as text)."""
    lines: dict[tuple, int] = {}
    for key, value in node.value:
        if not isinstance(key, ScalarNode):
            continue
        here = (*path, key.value)
        lines.setdefault(here, key.start_mark.line + first_line)
        if isinstance(value, MappingNode):
            lines.update(_nested_lines(value, first_line, here))
    return lines


def _error_place(exc: yaml.YAMLError, text: str) -> tuple[int, int | None] | None:
    """(line, column), 0-based, of a syntax error. PyYAML often reports the end of the text for something
    left open earlier: then the place it was opened, or else the last line with something on it."""
    marks = [m for m in (getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)) if m]
    end = len(text.rstrip())
    inside = [m for m in marks if m.index < end]
    if inside:
        return inside[0].line, inside[0].column
    return (text[:end].count("\n"), None) if marks else None


def shown(value: object, limit: int = 40) -> str:
    """A value as messages show it: as YAML writes it (true, .nan, null), text quoted, all of it short."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float) and not math.isfinite(value):
        text = ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    elif value is None:
        text = "null"
    else:
        text = repr(_shorten(value, limit)) if isinstance(value, str) else _shorten(value, limit)
    return text


def _shorten(value, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def key_line(path: Path | str, key: str) -> int | None:
    """The file line of top-level `key` ('margins' for 'margins.top') in a YAML file, or in the front matter of
    a Markdown file (never a line of its body), when the file has it."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if lines and lines[0].strip() == "---":
        lines = lines[:next((n for n, line in enumerate(lines[1:], 1) if line.strip() == "---"), len(lines))]
    pattern = re.compile(rf"{re.escape(key.split('.')[0])}\s*:")
    return next((n for n, line in enumerate(lines, 1) if pattern.match(line)), None)


def at_key_line(finding: Finding, lines: dict[str, int] | None = None) -> Finding:
    """A finding about a key, placed at that key's line when it has none yet: from `lines` (a parsed file's
    MappingData.lines) when given, else read from its source file."""
    if finding.line or not finding.key:
        return finding
    if lines is not None:
        return replace(finding, line=lines.get(finding.key.split(".")[0]))
    return replace(finding, line=key_line(finding.source, finding.key)) if finding.source else finding
