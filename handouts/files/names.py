"""File names that are safe on every filesystem and say nothing private by default."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_STEM = 80
# No dots: a name's part before its first dot can never be a Windows device name (CON, NUL, COM1 ...).
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
# Every name packet_filename gives (and no print job, manifest or other file of a run): '<id>_<date>[_<name>].pdf'.
PACKET_NAME = r"[A-Za-z0-9_-]*_[0-9]{4}-[0-9]{2}-[0-9]{2}(_[A-Za-z0-9_-]*)?\.pdf"


def safe_part(text: str) -> str:
    """ASCII letters, digits, '_' and '-' only; bounded length."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    part = _UNSAFE.sub("-", ascii_text).strip("-")
    return part[:40].rstrip("-")


def packet_filename(patient_id: str, appointment, name: str | None = None) -> str:
    """'<patient_id>_<YYYY-MM-DD>.pdf'; a short hash of the exact id keeps altered ids unique.

    Ids that differ only in letter case still map to names that differ only in
    case, which collide on Windows and macOS: the batch compares `collision_key`s.
    """
    stem = safe_part(patient_id) or "patient"
    if stem != patient_id:
        stem += "-" + hashlib.sha256(patient_id.encode()).hexdigest()[:8]
    stem += f"_{appointment.year:04d}-{appointment.month:02d}-{appointment.day:02d}"
    if name:
        stem += "_" + (safe_part(name) or "name")
    return stem[:MAX_STEM] + ".pdf"


def collision_key(filename: str) -> str:
    """What two file names share when a case-insensitive file system takes them for one."""
    return unicodedata.normalize("NFC", filename).casefold()
