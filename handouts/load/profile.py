"""The clinic profile: contact details and instructions the content refers to."""

from __future__ import annotations

from pathlib import Path

from ..errors import ProfileError
from .yamlfile import load_mapping

NEUTRAL_INSTRUCTION = "Follow the instructions your care team gave you."
REQUIRED = ("name", "phone", "address")
DEFAULTS = {
    "before_visit_eating": NEUTRAL_INSTRUCTION,
    "before_visit_medicines": NEUTRAL_INSTRUCTION,
    "website": None,
    "email": None,
}


def load_profile(path: Path) -> dict:
    """Load `clinic.yaml` into a plain mapping of text values."""
    data = load_mapping(Path(path), ProfileError, "clinic profile")
    for key in REQUIRED:
        if not isinstance(data.get(key), (str, int)) or not str(data[key]).strip():
            raise ProfileError(f"the clinic profile needs '{key}'", source=str(path), rule="profile-key-missing",
                               hint=f"add a line '{key}: ...'", key=key)
    profile = dict(DEFAULTS)
    for key, value in data.items():
        if isinstance(value, (dict, list)):
            raise ProfileError(f"'{key}' must be a single value, not a list or mapping", source=str(path),
                               rule="profile-value", hint="write it on one line after the colon", key=str(key))
        profile[str(key)] = None if value is None else str(value).strip()
    profile.setdefault("after_hours_phone", profile["phone"])
    if profile["after_hours_phone"] is None:
        profile["after_hours_phone"] = profile["phone"]
    return profile
