"""Safe YAML loading with messages that name the file and line."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import HandoutsError


def read_text(path: Path, error: type[HandoutsError], what: str) -> str:
    """Read a UTF-8 text file, turning every failure into a clear `error`."""
    try:
        return path.read_text(encoding="utf-8-sig")
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


def parse_mapping(text: str, source: str, error: type[HandoutsError], first_line: int = 1) -> dict:
    """Parse YAML that must be a mapping, with safe loading only."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise error(problem, source=source, line=mark.line + first_line if mark else None,
                    column=mark.column + 1 if mark else None, rule="yaml-syntax",
                    hint="fix the YAML syntax there") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise error(f"expected 'key: value' lines, found {type(data).__name__}", source=source,
                    rule="yaml-not-mapping", hint="write one 'key: value' per line")
    return data


def load_mapping(path: Path, error: type[HandoutsError], what: str) -> dict:
    return parse_mapping(read_text(path, error, what), str(path), error)
