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

import difflib
import math
import re
from pathlib import Path

from ..errors import Finding, ProfileError
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

# The same defaults in each edition's language (by primary subtag), translated from the English above in the
# same strength. A clinic that rewrites one in English writes its translation too, under `translations:`
# (`translations: {es: {safety_driving: ...}}`); until it does, an edition in that language is refused, never
# printed with the English sentence in the middle.
TRANSLATED = {
    "es": {
        "safety_driving": "Usted debe pedirle a otra persona que le lleve a casa en carro después de la infusión.",
        "safety_rest_of_day": "Si puede, deje libre el resto del día para descansar y tomar las cosas con calma.",
        "safety_session": "La infusión suele durar de 40 minutos a una hora. "
                          "Después, usted descansa en la clínica por 30 minutos.",
        "safety_side_effects": "Es raro, pero a veces hay náuseas leves (malestar de estómago) o dolor de cabeza "
                               "después de una infusión. Por lo general se quitan en unas pocas horas.",
        "before_visit_eating": "Llámenos al {phone} para preguntar qué puede comer y beber.",
        "before_visit_medicines": "Llámenos al {phone} para preguntar qué medicinas debe tomar.",
        "before_visit_bring": "Llámenos al {phone} para preguntar qué debe traer.",
    },
}
TRANSLATIONS_KEY = "translations"
ROSTER_KEY = "roster"  # how the scheduling export is laid out: checked by `roster_format`, whatever it holds
OPTIONAL = ("after_hours_phone", "website", "email")
# Every key a profile may have: a key not here is a mistake (a typo such as 'safety_drivng' would otherwise leave the
# shipped sentence in place without a word), refused with its line and the closest key.
KEYS = (*REQUIRED, *OPTIONAL, *SAFETY, *INSTRUCTIONS, SAMPLE_MARKER, TRANSLATIONS_KEY, ROSTER_KEY)

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
    _translations: dict = {}  # language (primary subtag) -> {key: text}, from `translations:` in the file
    _path: str = ""


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
    unknown = [key for key in data if key not in KEYS]
    if unknown:
        raise ProfileError(findings=[unknown_key(key, KEYS, str(path), data.lines.get(key)) for key in unknown])
    roster_lines = {key[1:]: line for key, line in data.paths.items() if key[0] == ROSTER_KEY and len(key) > 1}
    roster_format = read_roster_format(data.get(ROSTER_KEY), str(path), data.lines.get(ROSTER_KEY), roster_lines)
    for key in REQUIRED:
        if not isinstance(data.get(key), (str, int)) or not str(data[key]).strip():
            raise ProfileError(f"the clinic profile needs '{key}'", source=str(path), line=data.lines.get(key),
                               rule="profile-key-missing", hint=f"add a line '{key}: ...'", key=key)
    profile = ClinicProfile(DEFAULTS)
    for key, value in data.items():
        if key == ROSTER_KEY:
            continue
        if key == TRANSLATIONS_KEY:
            profile._translations = _read_translations(value, str(path), data.lines.get(key), data.paths)
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
    profile._path = str(path)
    profile.setdefault("after_hours_phone", profile["phone"])
    if profile["after_hours_phone"] is None:
        profile["after_hours_phone"] = profile["phone"]
    return profile, roster_format


def unknown_key(key: str, allowed, source: str, line: int | None, within: str = "") -> Finding:
    """A key the profile does not have, with the closest one it does ("did you mean 'safety_driving'?")."""
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"the keys allowed there: {', '.join(allowed)}"
    return Finding(f"unknown key '{key}'" + (f" in '{within}'" if within else "") + " in the clinic profile", source,
                   line, rule="profile-unknown-key", hint=hint, key=key)


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


def _read_translations(value: object, path: str, line: int | None, paths: dict | None = None) -> dict:
    """`translations: {es: {safety_driving: ..., before_visit_eating: ...}}`: the clinic's own sentences in each
    edition's language."""
    def bad(message: str, hint: str) -> ProfileError:
        return ProfileError(message, source=path, line=line, rule="profile-translations", hint=hint,
                            key=TRANSLATIONS_KEY)

    allowed = (*SAFETY, *INSTRUCTIONS)
    if not isinstance(value, dict):
        raise bad("'translations' must map a language to its sentences", "write e.g. 'translations:', "
                  "'  es:', '    safety_driving: ...'")
    found = {}
    for language, texts in value.items():
        if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}", language):
            raise bad("'translations' has a key that is not a language like 'es'", "use the edition folder's name")
        if not isinstance(texts, dict):
            raise bad(f"'translations: {language}' must hold 'key: text' lines", "write each as 'key: text'")
        unknown = [key for key in texts if key not in allowed]
        if unknown:
            where = paths or {}
            raise ProfileError(findings=[unknown_key(str(key), allowed, path,
                                                     where.get((TRANSLATIONS_KEY, language, str(key)), line),
                                                     f"translations: {language}") for key in unknown])
        for key, text in texts.items():
            problem = _value_problem(text)
            if problem or not isinstance(text, (str, int)) or not str(text).strip():
                raise bad(f"'translations: {language}: {key}' must be text", problem[1] if problem else "write it")
        found[language] = {key: str(text).strip() for key, text in texts.items()}
    return found


def localized(profile: dict, language: str) -> dict:
    """The profile as an edition in `language` sees it: the safety sentences and instructions in that language
    (the clinic's own translation, else the shipped one). A sentence the clinic wrote itself in English and did not
    translate is an error, a safety sentence and an instruction alike: a Spanish checklist must never carry an
    English step, nor the shipped "call us to ask" where the clinic's English packet gives its own instruction."""
    from .languages import primary

    code = primary(language)
    if code == "en":
        return profile
    missing = untranslated(profile, code)
    if missing:
        keys = ", ".join(f"'{key}'" for key in missing)
        raise ProfileError(f"{keys} {'has' if len(missing) == 1 else 'have'} the clinic's own English text but no "
                           f"'{code}' translation", source=getattr(profile, "_path", "") or "clinic profile",
                           rule="profile-translation-missing", key=missing[0],
                           hint=f"add {'it' if len(missing) == 1 else 'them'} under 'translations:', '  {code}:', "
                                f"'    {missing[0]}: ...'")
    out = ClinicProfile(profile)
    out._sample_marker = getattr(profile, "_sample_marker", False)
    out._path = getattr(profile, "_path", "")
    own = getattr(profile, "_translations", {}).get(code, {})
    shipped = TRANSLATED.get(code, {})
    for key in (*SAFETY, *INSTRUCTIONS):
        out[key] = own[key] if key in own else shipped[key].format(phone=profile.get("phone", ""))
    return out


def untranslated(profile: dict, language: str) -> list[str]:
    """The safety sentences and instructions an edition in `language` has no words for: the clinic's own English
    text without its translation (or a default the program has no translation of, for a language it does not
    ship)."""
    from .languages import primary

    code = primary(language)
    own = getattr(profile, "_translations", {}).get(code, {})
    shipped = TRANSLATED.get(code, {})
    return [key for key in (*SAFETY, *INSTRUCTIONS) if key not in own and not (
        key in shipped and profile.get(key) in (default_value(key, profile), NEUTRAL_INSTRUCTION))]
