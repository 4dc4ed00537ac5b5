"""The clinic profile: contact details and instructions the content refers to.

Two kinds of defaults live here, each written once:

- the **safety text** both documents and the packet opening print word for word
  (`SAFETY`: the driving rule, the rest of the day, the session and rest time,
  side effects), in the clinic source's own strength. A clinic whose own
  protocol differs sets the same key in its profile;
- the **instructions the source does not give** (`INSTRUCTIONS`: eating and
  drinking, medicines, what to bring). Their defaults are actions a patient can
  take ("Call us at … to ask …"), and `lint` warns while a profile keeps them.

`sample_fields` tells whether the profile still holds the shipped sample's
placeholder contact details (555-01xx numbers, `example` domains, "Example
Street", or `sample: true` in the file).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from ..errors import ProfileError
from .roster_format import RosterFormat, read_roster_format
from .yamlfile import load_mapping

REQUIRED = ("name", "phone", "address")
MAX_VALUE = 1000  # characters: an address is about 100
SAMPLE_MARKER = "sample"  # 'sample: true' in a profile: its details are placeholders

# Said once, used everywhere: from the clinic's source text, in its strength ("must", "ideally",
# "although rare ... sometimes", "usually"), in plain words.
SAFETY = {
    "safety_driving": "You must arrange for someone else to drive you home after your infusion.",
    "safety_rest_of_day": "If you can, keep the rest of the day free so you can take it easy.",
    "safety_session": "The infusion usually takes 40 minutes to one hour. "
                      "Then you rest at the clinic for 30 minutes.",
    "safety_side_effects": "It is rare, but mild nausea (an upset stomach) or headaches sometimes happen "
                           "after an infusion. They usually go away within a few hours.",
}
# What the source does not say: the default sends the patient to the phone, never to a rule we made up.
INSTRUCTIONS = {
    "before_visit_eating": "Call us at {phone} to ask what you may eat and drink.",
    "before_visit_medicines": "Call us at {phone} to ask which medicines to take.",
    "before_visit_bring": "Call us at {phone} to ask what to bring.",
}
# The earlier default: not an action either, so it counts as a default too.
NEUTRAL_INSTRUCTION = "Follow the instructions your care team gave you."
DEFAULTS = {**SAFETY, "website": None, "email": None}

# The shipped sample profile's marks: fictional North American numbers (555-0100 to 555-0199),
# documentation domains (RFC 2606: example.com/.net/.org, *.example), and its street.
_SAMPLE_PHONE = re.compile(r"555[\s.)-]*01\d\d(?!\d)")
_SAMPLE_DOMAIN = re.compile(r"(?i)(?<![\w-])(?:[\w-]+\.)*(?:example\.(?:com|net|org)|[\w-]+\.example)(?![\w-])")
_SAMPLE_STREET = re.compile(r"(?i)\bexample street\b")


class ClinicProfile(dict):
    """The profile's text values (what templates see as `clinic`), and whether the file said `sample: true`.

    The mark is an attribute, not a key: templates never see it (the sandbox refuses names with '_').
    """

    _sample_marker: bool = False


def sample_fields(profile: dict) -> list[str]:
    """The profile's fields (names only) that still hold the shipped sample's placeholder values,
    with 'sample' first when the file is marked `sample: true`. Empty: the profile looks real."""
    fields = [SAMPLE_MARKER] if getattr(profile, "_sample_marker", False) else []
    for key, value in profile.items():
        if not isinstance(value, str) or value == default_value(key, profile):
            continue  # a default built from the phone is reported as 'phone', not again
        if _SAMPLE_PHONE.search(value) or _SAMPLE_DOMAIN.search(value) or _SAMPLE_STREET.search(value):
            fields.append(key)
    return fields


def default_value(key: str, profile: dict) -> str | None:
    """The text `key` has when the profile does not set it (None when it has no default)."""
    if key in INSTRUCTIONS:
        return INSTRUCTIONS[key].format(phone=profile.get("phone", ""))
    return DEFAULTS.get(key)


def default_instructions(profile: dict) -> list[str]:
    """The instruction fields that still hold a default (or the earlier neutral text): lint warns about them."""
    return [key for key in INSTRUCTIONS
            if profile.get(key) in (default_value(key, profile), NEUTRAL_INSTRUCTION)]


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
    profile = ClinicProfile(DEFAULTS)
    for key, value in data.items():
        if key == "roster":
            continue
        if key == SAMPLE_MARKER:
            if not isinstance(value, bool):
                raise ProfileError("'sample' must be true or false", source=str(path), line=data.lines.get(key),
                                   rule="profile-value", hint="write 'sample: true', or remove the line", key=key)
            profile._sample_marker = value
            continue
        problem = _value_problem(value)
        if problem:
            raise ProfileError(f"'{key}' {problem[0]}", source=str(path), line=data.lines.get(key),
                               rule="profile-value", hint=problem[1], key=key)
        profile[key] = None if value is None else str(value).strip()
    for key in SAFETY:
        if not profile.get(key):  # 'safety_driving:' left empty keeps the safety text
            profile[key] = SAFETY[key]
    for key in INSTRUCTIONS:
        if not profile.get(key):
            profile[key] = default_value(key, profile)
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
