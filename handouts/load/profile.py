"""The clinic profile: contact details and instructions the content refers to."""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import ProfileError
from .roster_format import RosterFormat, read_roster_format
from .yamlfile import load_mapping

NEUTRAL_INSTRUCTION = "Follow the instructions your care team gave you."
REQUIRED = ("name", "phone", "address")
MAX_VALUE = 1000  # characters: an address is about 100
DEFAULTS = {
    "before_visit_eating": NEUTRAL_INSTRUCTION,
    "before_visit_medicines": NEUTRAL_INSTRUCTION,
    "website": None,
    "email": None,
}


def load_profile(path: Path) -> dict:
    """Load `clinic.yaml` into a plain mapping of text values."""
    return read_profile(path)[0]


def read_profile(path: Path) -> tuple[dict, RosterFormat]:
    """The clinic's text values, and how its roster export is laid out (`roster:`)."""
    data = load_mapping(Path(path), ProfileError, "clinic profile")
    roster_format = read_roster_format(data.get("roster"), str(path), data.lines.get("roster"))
    for key in REQUIRED:
        if not isinstance(data.get(key), (str, int)) or not str(data[key]).strip():
            raise ProfileError(f"the clinic profile needs '{key}'", source=str(path), line=data.lines.get(key),
                               rule="profile-key-missing", hint=f"add a line '{key}: ...'", key=key)
    profile = dict(DEFAULTS)
    for key, value in data.items():
        if key == "roster":
            continue
        problem = _value_problem(value)
        if problem:
            raise ProfileError(f"'{key}' {problem[0]}", source=str(path), line=data.lines.get(key),
                               rule="profile-value", hint=problem[1], key=key)
        profile[key] = None if value is None else str(value).strip()
    profile.setdefault("after_hours_phone", profile["phone"])
    if profile["after_hours_phone"] is None:
        profile["after_hours_phone"] = profile["phone"]
    return profile, roster_format


def _value_problem(value: object) -> tuple[str, str] | None:
    """(what is wrong, what to do) when a value is not a single piece of text the handouts can print."""
    if isinstance(value, (dict, list)):
        return "must be a single value, not a list or mapping", "write it on one line after the colon"
    if isinstance(value, bool):  # YAML reads a bare yes/no/on/off as true or false
        return "is true or false, not text", "put it in quotes"
    if isinstance(value, float) and not math.isfinite(value):
        return "is .nan or .inf, not text", "put it in quotes if it is text"
    if value is not None and len(str(value)) > MAX_VALUE:
        return f"is longer than {MAX_VALUE} characters", "shorten it"
    return None
