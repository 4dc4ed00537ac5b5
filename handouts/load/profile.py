"""The clinic profile: contact details, and the clinic's own sentences that documents print word for word.

The program knows which keys a profile has and which it needs, never their words:

- contact details: `name`, `phone`, `address` (required), `after_hours_phone`,
  `website`, `email`;
- the **safety sentences** (`SAFETY`: driving home, the rest of the day, the
  session and rest time, side effects) and the **instructions before the
  visit** (`INSTRUCTIONS`: eating and drinking, medicines, what to bring), all
  required: the documents print them, so a profile without one is refused at
  load, with a hint. Their words are the clinic's: the shipped sample profile
  (`content/clinic.yaml`) has them from the clinic's source text, in its
  strength, and where the source says nothing (the instructions) it sends the
  patient to the phone ("Call us at ... to ask ...");
- `translations: <language>:` the same sentences in each edition's language,
  with `source_hash`, the hash of the English sentences they were translated
  from (`sentences_digest`). An edition is used only while its language has
  every sentence, translated from the English as it is now: a clinic that
  rewrites an English sentence must check its translations too, or that
  language's packets are refused (`localized`, `untranslated`, `stale_translation`).

- `mail:` how the clinic's emails leave (`MAIL_KEYS`: the mail server, its port and security, the user to log in
  as, the sender, the server's certificate authority, the rate, the outbox and the ledger), read into a
  `MailProfile` (`mail_profile`), with paths taken from the folder that holds the profile. Never a password
  (`password:` is refused at its line): that comes from the environment, the system keyring or a prompt.

`sample_fields` tells whether the profile still holds the shipped sample's
placeholder contact details (555-01xx numbers, `example` domains, "Example
Street", or `sample: true` in the file), in any sentence or translation too.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Finding, ProfileError
from .roster_format import RosterFormat, read_roster_format
from .yamlfile import load_mapping

REQUIRED = ("name", "phone", "address")
MAX_VALUE = 1000  # characters: an address is about 100
SAMPLE_MARKER = "sample"  # 'sample: true' in a profile: its details are placeholders

# The clinic's sentences, by key, and what each is about (for a message when one is missing). Said once in the
# profile, used everywhere: the documents print them word for word.
SAFETY = {
    "safety_driving": "who drives the patient home after the infusion",
    "safety_rest_of_day": "keeping the rest of the day free",
    "safety_session": "how long the infusion and the rest after it take",
    "safety_side_effects": "the side effects and how long they last",
}
INSTRUCTIONS = {
    "before_visit_eating": "what the patient may eat and drink before the visit",
    "before_visit_medicines": "which medicines to take before the visit",
    "before_visit_bring": "what to bring to the visit",
}
SENTENCES = (*SAFETY, *INSTRUCTIONS)
# The sentences a profile must have. The instructions are the clinic's own, and optional: without them the documents
# send the patient to the phone, in one call ("call us to ask what you may eat and drink, which medicines to take
# and what to bring"), the neutral default where the clinic's source gives no instruction.
REQUIRED_SENTENCES = tuple(SAFETY)
# What to expect rather than something to do: a checklist never makes one of these a box to tick (`lint`).
FACTS = ("safety_session", "safety_side_effects")
LANGUAGE = "en"  # the language of the profile's own sentences: the content's (content/*.md)
DEFAULTS = {"website": None, "email": None, **{key: None for key in INSTRUCTIONS},
            "infusion_minutes": None, "rest_minutes": None, "visit_minutes": None, "visit_hours": None,
            "infusion_range": None}
# How long the visit takes, as numbers (optional): `infusion_minutes` (one number or a range, "40-60") and
# `rest_minutes`. From them the profile computes what documents print: `visit_minutes`, the longest infusion plus
# the rest, and `visit_hours`, that total rounded up to the half hour in figures ("1½"), so that a patient can tell
# the driver when to come without adding up. Their words stay in `safety_session`. And `infusion_range`, the
# infusion's minutes as the document's language says them ("40 to 60", "de 40 a 60"; "45" for one number): a
# screen reader may read "40-60" as "40 minus 60". Its words are the locale file's `number_range`.
SESSION = ("infusion_minutes", "rest_minutes")
COMPUTED = ("visit_minutes", "visit_hours", "infusion_range")
_MINUTES = re.compile(r"\s*(\d{1,3})\s*(?:(?:-|–|to)\s*(\d{1,3})\s*)?")

TRANSLATIONS_KEY = "translations"
SOURCE_HASH = "source_hash"  # under 'translations: <language>:', the English sentences they were translated from
ROSTER_KEY = "roster"  # how the scheduling export is laid out: checked by `roster_format`, whatever it holds
MAIL_KEY = "mail"  # how the emails leave: `MailProfile`; 'email' is the clinic's own address, printed in handouts
OPTIONAL = ("after_hours_phone", "website", "email")
# Every key a profile may have: a key not here is a mistake (a typo such as 'safety_drivng' would otherwise leave a
# sentence missing, or the sample's in place), refused with its line and the closest key.
KEYS = (*REQUIRED, *OPTIONAL, *SENTENCES, *SESSION, SAMPLE_MARKER, TRANSLATIONS_KEY, ROSTER_KEY, MAIL_KEY)

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
    _source_hashes: dict = {}  # language -> the `source_hash` its translations give
    _lines: dict = {}  # ('translations', 'es', 'safety_driving') -> its line in the file
    _path: str = ""
    _mail: "MailProfile | None" = None  # `mail:`, when the file has it


def _may_be_sample(value: str) -> bool:
    """Whether `value` holds what each sample pattern needs ("555", or "example" in any case): the few values
    that do are searched with the patterns (every document rendered asks whether its clinic is the sample)."""
    return "555" in value or "example" in value.lower()


def sample_fields(profile: dict) -> list[str]:
    """The profile's fields (names only; a translation as 'translations.es.before_visit_eating') that still hold
    the shipped sample's placeholder values, with 'sample' first when the file is marked `sample: true`.
    Empty: the profile looks real."""
    fields = [SAMPLE_MARKER] if getattr(profile, "_sample_marker", False) else []
    translated = [(f"{TRANSLATIONS_KEY}.{code}.{key}", value)
                  for code, texts in getattr(profile, "_translations", {}).items() for key, value in texts.items()]
    for key, value in [*profile.items(), *translated]:
        if isinstance(value, str) and _may_be_sample(value) and (
                _SAMPLE_PHONE.search(value) or _SAMPLE_DOMAIN.search(value) or _SAMPLE_STREET.search(value)):
            fields.append(key)
    return fields


def field_line(profile: dict, field: str) -> int | None:
    """The file line of a field ('phone', 'translations.es.safety_driving'), where the profile knows it."""
    return getattr(profile, "_lines", {}).get(tuple(field.split(".")))


def sentences_digest(profile: dict) -> str:
    """The hash of the profile's own (English) sentences, as 12 hex digits of SHA-256: what a language's
    translations record as `source_hash`, so that a sentence rewritten in English makes them stale."""
    text = "".join(f"{key}: {unicodedata.normalize('NFC', str(profile.get(key) or ''))}\n" for key in SENTENCES)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


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
        if key in (ROSTER_KEY, MAIL_KEY, TRANSLATIONS_KEY, SAMPLE_MARKER):
            _read_section(profile, key, value, Path(path), data)
            continue
        problem = _value_problem(value)
        if problem:
            raise ProfileError(f"'{key}' {problem[0]}", source=str(path), line=data.lines.get(key),
                               rule="profile-value", hint=problem[1], key=key)
        profile[key] = None if value is None else str(value).strip()
    _session(profile, str(path), data.lines)
    missing = [key for key in REQUIRED_SENTENCES if not profile.get(key)]
    if missing:
        raise ProfileError(findings=[Finding(
            f"the clinic profile needs '{key}', the sentence about {(SAFETY | INSTRUCTIONS)[key]}", str(path),
            data.lines.get(key), rule="profile-key-missing", key=key,
            hint=f"add a line '{key}: ...' in the clinic's own words (the shipped sample, content/clinic.yaml, "
                 "has the wording of the clinic's source)") for key in missing])
    profile._lines = {key: line for key, line in data.paths.items()}
    profile._path = str(path)
    profile.setdefault("after_hours_phone", profile["phone"])
    if profile["after_hours_phone"] is None:
        profile["after_hours_phone"] = profile["phone"]
    return profile, roster_format


def _session(profile: dict, path: str, lines: dict) -> None:
    """`infusion_minutes` and `rest_minutes`, checked, and the visit's length computed from them (`SESSION`)."""
    found = {}
    for key in SESSION:
        value = profile.get(key)
        if value is None:
            continue
        match = _MINUTES.fullmatch(str(value))
        if not match or (key == "rest_minutes" and match[2]):
            example = "40-60" if key == "infusion_minutes" else "30"
            raise ProfileError(f"'{key}' must be a number of minutes" + (" or a range" if key == "infusion_minutes"
                                                                         else ""), source=path, line=lines.get(key),
                               rule="profile-value", key=key, hint=f"write e.g. '{key}: {example}'")
        found[key] = max(int(match[1]), int(match[2] or 0))
    if "infusion_minutes" in found:
        profile["infusion_range"] = minutes_in_words(profile["infusion_minutes"], LANGUAGE)
    if len(found) < len(SESSION):
        return  # without both, the documents say nothing of the visit's length but the clinic's sentence
    total = found["infusion_minutes"] + found["rest_minutes"]
    halves = -(-total // 30)  # rounded up to the half hour: plan for at least as long as it takes
    profile["visit_minutes"] = str(total)
    profile["visit_hours"] = f"{halves // 2 or ''}{'½' if halves % 2 else ''}"


def minutes_in_words(value: str | None, language: str) -> str | None:
    """A number of minutes from the profile ("40-60", "45") as `language` says it: "40 to 60", "de 40 a 60",
    "45"; the words are the language's locale file's (`number_range`)."""
    from .locale import Locale

    match = _MINUTES.fullmatch(str(value)) if value is not None else None
    if not match:
        return None
    low, high = sorted((int(match[1]), int(match[2] or match[1])))
    return str(low) if low == high else Locale.for_tag(language).in_range(low, high)


def _read_section(profile: ClinicProfile, key: str, value: object, path: Path, data) -> None:
    """The keys that are not text for the documents: kept on the profile as attributes, never seen by templates."""
    if key == MAIL_KEY:
        profile._mail = read_mail(value, path, data.lines.get(key), data.paths)
    elif key == TRANSLATIONS_KEY:
        profile._translations, profile._source_hashes = _read_translations(value, str(path), data.lines.get(key),
                                                                           data.paths)
    elif key == SAMPLE_MARKER:
        if not isinstance(value, bool):
            raise ProfileError("'sample' must be true or false", source=str(path), line=data.lines.get(key),
                               rule="profile-value", hint="write 'sample: true', or remove the line", key=key)
        profile._sample_marker = value
    # ROSTER_KEY: read into the RosterFormat above


def unknown_key(key: str, allowed, source: str, line: int | None, within: str = "") -> Finding:
    """A key the profile does not have, with the closest one it does ("did you mean 'safety_driving'?")."""
    import difflib  # only for a mistake: not at import, where every command that reads the profile pays for it

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


def _read_translations(value: object, path: str, line: int | None, paths: dict | None = None
                       ) -> tuple[dict, dict]:
    """`translations: {es: {source_hash: "...", safety_driving: ..., before_visit_eating: ...}}`: the clinic's own
    sentences in each edition's language, and the hash of the English they were translated from."""
    where = paths or {}

    def bad(message: str, hint: str, *at: str) -> ProfileError:
        return ProfileError(message, source=path, line=where.get((TRANSLATIONS_KEY, *at), line),
                            rule="profile-translations", hint=hint, key=TRANSLATIONS_KEY)

    allowed = (SOURCE_HASH, *SENTENCES)
    if not isinstance(value, dict):
        raise bad("'translations' must map a language to its sentences", "write e.g. 'translations:', "
                  "'  es:', '    safety_driving: ...'")
    found, hashes = {}, {}
    for language, texts in value.items():
        if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}", language):
            raise bad("'translations' has a key that is not a language like 'es'", "use the edition folder's name")
        if not isinstance(texts, dict):
            raise bad(f"'translations: {language}' must hold 'key: text' lines", "write each as 'key: text'",
                      language)
        unknown = [key for key in texts if key not in allowed]
        if unknown:
            raise ProfileError(findings=[unknown_key(str(key), allowed, path,
                                                     where.get((TRANSLATIONS_KEY, language, str(key)), line),
                                                     f"translations: {language}") for key in unknown])
        digest = texts.get(SOURCE_HASH)
        if digest is not None and not (isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{12}", digest)):
            raise bad(f"'translations: {language}: source_hash' must be 12 hex digits in quotes",
                      "write the hash `handouts lint` gives, e.g. source_hash: \"3f2a9c01d4e5\"", language,
                      SOURCE_HASH)
        for key, text in texts.items():
            problem = _value_problem(text)
            if problem or not isinstance(text, (str, int)) or not str(text).strip():
                raise bad(f"'translations: {language}: {key}' must be text", problem[1] if problem else "write it",
                          language, str(key))
        found[language] = {key: str(text).strip() for key, text in texts.items() if key != SOURCE_HASH}
        if digest is not None:
            hashes[language] = digest
    return found, hashes


def localized(profile: dict, language: str) -> dict:
    """The profile as an edition in `language` sees it: the clinic's sentences in that language, from
    `translations:`. A sentence with no translation is an error, and so are translations made from other English
    sentences than the profile has now: a Spanish checklist must never carry an English step, nor the sample's
    "call us to ask" where the clinic's English packet gives its own instruction."""
    from .languages import primary

    code = primary(language)
    if code == LANGUAGE:
        return profile
    source = getattr(profile, "_path", "") or "clinic profile"
    missing = untranslated(profile, code)
    if missing:
        keys = ", ".join(f"'{key}'" for key in missing)
        raise ProfileError(f"{keys} {'has' if len(missing) == 1 else 'have'} the clinic's own English text but no "
                           f"'{code}' translation", source=source,
                           rule="profile-translation-missing", key=missing[0],
                           hint=f"add {'it' if len(missing) == 1 else 'them'} under 'translations:', '  {code}:', "
                                f"'    {missing[0]}: ...'")
    digest = stale_translation(profile, code)
    if digest:
        raise ProfileError(f"the '{code}' translations of the clinic's sentences were made from other English "
                           "sentences than the profile has now" if getattr(profile, "_source_hashes", {}).get(code)
                           else f"the '{code}' translations of the clinic's sentences do not say which English "
                                "sentences they translate", source=source,
                           line=field_line(profile, f"{TRANSLATIONS_KEY}.{code}"), rule="profile-translation-outdated",
                           key=TRANSLATIONS_KEY, hint=translation_hint(code, digest))
    out = ClinicProfile(profile)
    out._sample_marker = getattr(profile, "_sample_marker", False)
    out._path = getattr(profile, "_path", "")
    own = getattr(profile, "_translations", {}).get(code, {})
    for key in SENTENCES:
        out[key] = own[key] if profile.get(key) else None  # an instruction the clinic does not give: none here
    if profile.get("infusion_range"):
        out["infusion_range"] = minutes_in_words(profile.get("infusion_minutes"), language)
    return out


def untranslated(profile: dict, language: str) -> list[str]:
    """The sentences an edition in `language` has no words for: those with no translation under
    `translations: <language>:`."""
    from .languages import primary

    own = getattr(profile, "_translations", {}).get(primary(language), {})
    return [key for key in SENTENCES if key not in own and profile.get(key)]


def stale_translation(profile: dict, language: str) -> str | None:
    """The hash to write as `source_hash` when `language`'s translations were made from other English sentences
    than the profile has now (or do not say which); None while they are current."""
    from .languages import primary

    digest = sentences_digest(profile)
    return None if getattr(profile, "_source_hashes", {}).get(primary(language)) == digest else digest


def translation_hint(code: str, digest: str) -> str:
    return (f"check each sentence under 'translations: {code}:' against the English one, then write "
            f"'source_hash: \"{digest}\"' there")


# -- mail: how the emails leave ------------------------------------------------------------------------------------

SECURITY = ("starttls", "tls")  # STARTTLS (usually port 587), or implicit TLS (usually 465)
# A key that would hold a secret: refused whatever it is called, never suggested as a typo of a setting.
_SECRET_KEY = re.compile(r"(?i)pass|secret|token|credential")
# A host name, an IPv4 address, or an IPv6 one (bare or in brackets): what `send` can connect to.
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]"
                   r"|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")
_RATE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(?:min|minute|m|s|sec|second|h|hour))?\s*")  # as `send` reads it
_NOT_IN_AN_ADDRESS = re.compile(r"[\s<>,;:\"()\[\]\\]")


@dataclass(frozen=True)
class MailProfile:
    """The profile's `mail:` section as plain values (None: not given). Paths (`ca_file`, `outbox`, `ledger`) are
    taken from the folder that holds the profile, the clinic folder. There is no password: the face asks for it."""

    server: str | None = None  # a host name or address, without the port
    port: int | None = None
    security: str | None = None  # 'starttls' or 'tls'
    user: str | None = None  # who to log in as
    sender: str | None = None  # `from:`, the From address
    ca_file: Path | None = None  # the certificate authority the mail server's certificate comes from
    rate: str | None = None  # '30/min'
    outbox: Path | None = None
    ledger: Path | None = None
    source: str = ""  # the profile's path
    lines: dict = field(default_factory=dict, compare=False, hash=False)  # key ('from', 'ca_file' ...) -> line

    @property
    def address(self) -> str | None:
        """The server as HOST[:PORT], as `--smtp` takes it; None when the profile names no server."""
        if self.server is None:
            return None
        if self.port is None:
            return self.server
        host = f"[{self.server}]" if ":" in self.server and not self.server.startswith("[") else self.server
        return f"{host}:{self.port}"

    def check_ca_file(self) -> None:
        """Refuse a `ca_file` that is not a file, at its line: checked when mail is sent, so that a missing file
        never stops the packets."""
        if self.ca_file is not None and not self.ca_file.is_file():
            raise ProfileError(f"'mail: ca_file' names no file ({self.ca_file})", source=self.source,
                               line=self.lines.get("ca_file"), rule="profile-mail-ca-file", key=f"{MAIL_KEY}.ca_file",
                               hint="give the certificate authority's file, from the clinic folder "
                                    "(e.g. 'ca_file: certs/clinic-ca.pem')")


def mail_profile(profile: dict) -> MailProfile:
    """The clinic profile's mail settings (all None when it has no `mail:` section)."""
    return getattr(profile, "_mail", None) or MailProfile(source=getattr(profile, "_path", ""))


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        raise ValueError("must be text on one line", "write it after the colon, e.g. 'user: frontdesk'")
    problem = _value_problem(value)
    if problem:
        raise ValueError(*problem)
    return str(value).strip()


def _server(value: object) -> str:
    text = _text(value)
    if re.fullmatch(r"[^:\[\]]+:\d+", text):
        raise ValueError("holds a port", "write the host name alone, and the port on its own line: 'port: 587'")
    if not _HOST.fullmatch(text):
        raise ValueError("is not a host name", "write the mail server's name alone, e.g. 'server: mail.clinic.org'")
    return text


def _port(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValueError("must be a port number from 1 to 65535", "usually 587 (starttls) or 465 (tls)")
    return value


def _security(value: object) -> str:
    text = _text(value).lower()
    if text not in SECURITY:
        raise ValueError("must be starttls or tls", "write 'security: starttls' (port 587) or 'security: tls' "
                                                   "(port 465); mail always goes encrypted")
    return text


def _sender(value: object) -> str:
    text = _text(value)
    if text.count("@") != 1 or _NOT_IN_AN_ADDRESS.search(text) or text.startswith("@") or text.endswith("@"):
        raise ValueError("is not one plain address", "write the address alone, e.g. 'from: frontdesk@clinic.org'")
    return text


def _rate(value: object) -> str:
    text = _text(str(value) if isinstance(value, float) else value)
    match = _RATE.fullmatch(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError("is not a rate", "write deliveries a minute, e.g. 'rate: 30/min'")
    return text


def _path(value: object) -> Path:
    return Path(_text(value)).expanduser()


MAIL_KEYS = {"server": _server, "port": _port, "security": _security, "user": _text, "from": _sender,
             "ca_file": _path, "rate": _rate, "outbox": _path, "ledger": _path}
_FIELDS = {"from": "sender"}  # the key as written -> the MailProfile field
_PATHS = ("ca_file", "outbox", "ledger")


def read_mail(value: object, path: Path, line: int | None, paths: dict) -> MailProfile:
    """`mail: {server: ..., port: ..., ...}`: every key known, every value checked, at its line; a key that would
    hold a password is refused. Relative paths are taken from the profile's folder."""
    if value is None:
        return MailProfile(source=str(path))
    if not isinstance(value, dict):
        raise ProfileError("'mail' must hold 'key: value' lines", source=str(path), line=line, rule="profile-mail",
                           hint="write 'mail:', then indented lines such as '  server: mail.clinic.org'", key=MAIL_KEY)
    lines = {str(key): paths.get((MAIL_KEY, str(key)), line) for key in value}
    secrets = [str(key) for key in value if _SECRET_KEY.search(str(key))]
    unknown = [str(key) for key in value if str(key) not in MAIL_KEYS and str(key) not in secrets]
    findings = [Finding(f"'mail: {key}': a password is never kept in the clinic profile", str(path), lines[key],
                        rule="profile-mail-password", key=f"{MAIL_KEY}.{key}",
                        hint="remove the line; the password comes from HANDOUTS_SMTP_PASSWORD, the system keyring "
                             "(service 'handouts', the mail user), or a question when sending") for key in secrets]
    findings += [unknown_key(key, MAIL_KEYS, str(path), lines[key], MAIL_KEY) for key in unknown]
    values = {}
    for key, text in value.items():
        if str(key) not in MAIL_KEYS:
            continue
        try:
            values[_FIELDS.get(key, key)] = MAIL_KEYS[key](text)
        except ValueError as exc:
            what, hint = exc.args
            findings.append(Finding(f"'mail: {key}' {what}", str(path), lines[key], rule="profile-mail",
                                    hint=hint, key=f"{MAIL_KEY}.{key}"))
    if findings:
        raise ProfileError(findings=sorted(findings, key=lambda f: f.line or 0))
    for key in _PATHS:
        if key in values and not values[key].is_absolute():
            values[key] = path.parent / values[key]
    return MailProfile(**values, source=str(path), lines=lines)
