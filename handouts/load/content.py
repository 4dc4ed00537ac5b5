"""Load content files: YAML front matter plus a Markdown/Jinja2 body."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ContentError
from .yamlfile import parse_mapping, read_text

KINDS = ("handout", "checklist")
FRONT_MATTER_KEYS = {"title", "kind", "language", "summary"}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Source:
    """One content file, split but not yet filled or parsed."""

    name: str
    path: Path
    title: str
    kind: str
    language: str
    summary: str | None
    body: str
    body_line: int  # file line number of the body's first line


class ContentLibrary:
    """The documents in a content folder, by name (file stem)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._loaded: dict[str, Source] = {}  # a batch reads each file once
        if not self.folder.is_dir():
            raise ContentError(
                f"{self.folder}: content folder not found; run from the project folder "
                "or pass --content DIR"
            )

    def names(self) -> list[str]:
        """The documents; files starting with '_' are parts (e.g. the packet opening)."""
        return sorted(p.stem for p in self.folder.glob("*.md") if not p.stem.startswith("_"))

    def load(self, name: str) -> Source:
        if name not in self._loaded:
            part = name.startswith("_") and (self.folder / f"{name}.md").is_file()
            if not part and name not in self.names():
                valid = ", ".join(self.names()) or "none"
                raise ContentError(f"unknown document '{name}'; choose one of: {valid}")
            self._loaded[name] = parse_source(name, self.folder / f"{name}.md")
        return self._loaded[name]


def parse_source(name: str, path: Path) -> Source:
    text = read_text(path, ContentError, "content file")
    if not text.startswith("---"):
        raise ContentError(f"{path}:1: missing front matter; start the file with '---', 'title: ...', '---'")
    fences = list(_FENCE.finditer(text))
    if len(fences) < 2 or fences[0].start() != 0:
        raise ContentError(f"{path}:1: front matter is not closed; add a line '---' after it")
    meta_text = text[fences[0].end():fences[1].start()]
    meta = parse_mapping(meta_text, str(path), ContentError, first_line=2)
    unknown = sorted(set(meta) - FRONT_MATTER_KEYS)
    if unknown:
        raise ContentError(
            f"{path}: unknown front matter key '{unknown[0]}'; allowed: {', '.join(sorted(FRONT_MATTER_KEYS))}"
        )
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ContentError(f"{path}: front matter needs a 'title' (text)")
    kind = meta.get("kind", "handout")
    if kind not in KINDS:
        raise ContentError(f"{path}: kind '{kind}' is not one of: {', '.join(KINDS)}")
    language = str(meta.get("language", "en-US"))
    if not _LANGUAGE.match(language):
        raise ContentError(f"{path}: language '{language}' is not a language tag like en-US")
    summary = meta.get("summary")
    if summary is not None and not isinstance(summary, str):
        raise ContentError(f"{path}: 'summary' must be text")
    body_start = fences[1].end() + 1
    body_line = text.count("\n", 0, body_start) + 1
    return Source(name, path, title.strip(), kind, language, summary, text[body_start:], body_line)
