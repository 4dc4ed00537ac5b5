"""The clinic folder: the clinic's profile, content, layouts and output, together and apart from the tool.

A clinic folder (`handouts init DIR` writes one) holds `clinic.yaml`, `content/`, `layouts/` and `output/`.
Every command finds it as git finds `.git`: the folder named by `--home` (the face passes it), else by
`HANDOUTS_HOME`, else the current folder or its nearest parent holding `clinic.yaml`. With none, a command works
as it does in the tool's own repository: `content/`, `layouts/` and `output/` in the current folder, and the
profile in the content folder (`content/clinic.yaml`).

`shipped_sample` finds the shipped content and layouts: in an installed wheel they are package data
(`handouts/sample/`, mapped from the repository's top-level `content/` and `layouts/` by `setup.py`); in a
checkout (an editable install) they are the repository's own folders.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, InternalError

HOME_ENV = "HANDOUTS_HOME"
PROFILE = "clinic.yaml"
CONTENT, LAYOUTS, OUTPUT = "content", "layouts", "output"

_PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Home:
    """Where a command's inputs and outputs are by default.

    `folder` is the clinic folder (relative to the current folder when it was found from there, e.g. `.` or
    `..`), or None when there is none: then the current folder, as in the tool's repository. `profile` is the
    clinic profile, or None for `clinic.yaml` in the content folder (the repository's `content/clinic.yaml`)."""

    folder: Path | None = None
    profile: Path | None = None

    @property
    def base(self) -> Path:
        return Path() if self.folder is None else self.folder

    @property
    def content(self) -> Path:
        return self.base / CONTENT

    @property
    def layouts(self) -> Path:
        return self.base / LAYOUTS

    @property
    def output(self) -> Path:
        return self.base / OUTPUT


def find_home(named: Path | str | None = None) -> Home:
    """The clinic folder: `named` (the face's --home), else `HANDOUTS_HOME`, else the current folder or its nearest
    parent holding clinic.yaml; else no clinic folder (`Home()`). A folder named but not a clinic folder is an
    error, never passed over."""
    if named is not None and str(named) != "":
        return _named(Path(named), str(named))
    if os.environ.get(HOME_ENV):
        return _named(Path(os.environ[HOME_ENV]), f"{HOME_ENV}={os.environ[HOME_ENV]}")
    try:
        start = Path.cwd()
    except OSError:  # the current folder was removed under the shell: nothing to find from here
        return Home()
    for folder in (start, *start.parents):
        if (folder / PROFILE).is_file():
            relative = Path(os.path.relpath(folder, start))  # '.', '..': messages name short paths
            return Home(relative, relative / PROFILE)
    return Home()


def _named(folder: Path, source: str) -> Home:
    """A folder given by name: a clinic folder (clinic.yaml in it), or one laid out as the tool's repository
    (content/clinic.yaml)."""
    if (folder / PROFILE).is_file():
        return Home(folder, folder / PROFILE)
    if (folder / CONTENT / PROFILE).is_file():
        return Home(folder, None)
    if not folder.is_dir():
        raise InputError("the clinic folder is not there", source=source, rule="home-missing",
                         hint="name the folder `handouts init` made")
    raise InputError("this folder is not a clinic folder: it has no clinic.yaml", source=source,
                     rule="home-not-clinic-folder",
                     hint="name the folder `handouts init` made, or make one with handouts init DIR")


def shipped_sample() -> tuple[Path, Path]:
    """(content, layouts) as shipped: the sample profile content/clinic.yaml, the documents and their editions,
    the three layouts."""
    for base in (_PACKAGE / "sample", _PACKAGE.parent):  # installed (a wheel), then a checkout of the repository
        content, layouts = base / CONTENT, base / LAYOUTS
        if (content / PROFILE).is_file() and layouts.is_dir():
            return content, layouts
    raise InternalError("the shipped content and layouts are missing from this installation of handouts")
