"""A project: where content, layouts and the clinic profile live; and a patient's values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .content import ContentLibrary
from .layouts import LayoutLibrary
from .profile import read_profile
from .roster_format import RosterFormat
from .values import clean_value


@dataclass(frozen=True)
class Patient:
    name: str
    preferred_name: str

    @classmethod
    def from_values(cls, name: str, preferred_name: str | None = None) -> "Patient":
        name = clean_value(name).strip()
        preferred = clean_value(preferred_name).strip() if preferred_name else ""
        if not name:
            raise InputError("the patient name is empty", source="patient name", rule="patient-name-empty",
                             hint="give a name")
        return cls(name, preferred or name)


@dataclass(frozen=True)
class Project:
    """Where content, layouts and the clinic profile live."""

    content: ContentLibrary
    layouts: LayoutLibrary
    clinic: dict
    roster_format: RosterFormat = RosterFormat()

    @classmethod
    def open(cls, content: Path, layouts: Path, clinic: Path | None = None) -> "Project":
        library = ContentLibrary(content)
        profile, roster_format = read_profile(clinic or library.folder / "clinic.yaml")
        layout_library = LayoutLibrary(layouts)
        roster_format.check_layouts(layout_library.names())  # the profile's value maps name real layouts
        return cls(library, layout_library, profile, roster_format)
