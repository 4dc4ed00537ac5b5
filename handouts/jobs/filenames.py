"""File names that are safe on every filesystem and say nothing private by default."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_STEM = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_part(text: str) -> str:
    """ASCII letters, digits, '.', '_' and '-' only; no leading dots; bounded length."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    part = _UNSAFE.sub("-", ascii_text).strip("-.")
    return part[:40].rstrip("-.")


def packet_filename(patient_id: str, appointment, name: str | None = None) -> str:
    """'<patient_id>_<YYYY-MM-DD>.pdf'; a short hash keeps altered ids unique."""
    stem = safe_part(patient_id) or "patient"
    if stem != patient_id:
        stem += "-" + hashlib.sha256(patient_id.encode()).hexdigest()[:8]
    stem += f"_{appointment:%Y-%m-%d}"
    if name:
        stem += "_" + (safe_part(name) or "name")
    return stem[:MAX_STEM] + ".pdf"
