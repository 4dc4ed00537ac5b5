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
        raise error(f"{path}: {what} not found; check the name and folder") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what}") from None
    except UnicodeDecodeError as exc:
        raise error(
            f"{path}: byte {exc.start} is not UTF-8 text; save the {what} as UTF-8"
        ) from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror})") from None


def parse_mapping(text: str, source: str, error: type[HandoutsError], first_line: int = 1) -> dict:
    """Parse YAML that must be a mapping, with safe loading only."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + first_line}" if mark else source
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise error(f"{where}: {problem}; fix the YAML syntax there") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise error(f"{source}: expected 'key: value' lines, found {type(data).__name__}")
    return data


def load_mapping(path: Path, error: type[HandoutsError], what: str) -> dict:
    return parse_mapping(read_text(path, error, what), str(path), error)
