"""Sign-off: whether a document (or an edition of one) is approved for patients, and if not, why.

A reviewer approves a text, not a file name: `handouts approve` writes
`status: approved`, `reviewed_by`, `reviewed_on` and `approved_sha256` (the
hash of the title and body, `content.text_sha256`) into the front matter. A
document counts as approved only while its text still has that hash; an
edition (`content/es/...`) also records the hash of the English source it was
approved against (`source_sha256`) and counts as approved only while the
English still has it. Everything else is a draft, with a reason:

| state            | front matter says                 | what happened                                 |
|------------------|-----------------------------------|-----------------------------------------------|
| `approved`       | approved, hashes match            | the approved text, unchanged                  |
| `draft`          | draft (or nothing)                | never approved                                |
| `unhashed`       | approved, no `approved_sha256`    | approved by hand: which text is unknown       |
| `changed`        | approved, `approved_sha256` stale | the text changed after it was approved        |
| `outdated`       | approved, `source_sha256` stale   | the English changed after the edition's OK    |
| `source-unknown` | approved, no `source_sha256`      | an edition approved without its English hash  |
"""

from __future__ import annotations

from dataclasses import dataclass

from .content import ContentLibrary, Source
from .languages import language_name, primary

APPROVED, DRAFT, UNHASHED, CHANGED, OUTDATED, SOURCE_UNKNOWN = (
    "approved", "draft", "unhashed", "changed", "outdated", "source-unknown")


@dataclass(frozen=True)
class SignOff:
    """One document's (or edition's) sign-off as it stands now."""

    name: str
    language: str | None  # the edition folder ('es'), or None for the English source
    source: Source
    state: str

    @property
    def approved(self) -> bool:
        return self.state == APPROVED

    @property
    def label(self) -> str:
        """How messages name it: 'infusion-day-checklist', or 'es/infusion-day-checklist' for an edition."""
        return f"{self.language}/{self.name}" if self.language else self.name

    @property
    def edition(self) -> str:
        """'the Spanish (es-US) edition of 'name'', or just ''name'' for the English source."""
        if not self.language:
            return f"'{self.name}'"
        return f"the {language_name(self.source.language)} ({self.source.language}) edition of '{self.name}'"

    @property
    def reason(self) -> str:
        """Why it is not approved, as the end of a sentence about it ('... is a draft, not approved for patients');
        empty when it is approved."""
        on = self.source.reviewed_on.isoformat() if self.source.reviewed_on else "an unknown day"
        return {
            APPROVED: "",
            DRAFT: "is a draft, not approved for patients",
            UNHASHED: "says 'status: approved' but has no approved_sha256, so nothing says which text was approved",
            CHANGED: f"changed since it was approved on {on}",
            OUTDATED: f"was approved on {on} against an earlier English text",
            SOURCE_UNKNOWN: "was approved without a record of the English text it matches (no source_sha256)",
        }[self.state]

    @property
    def command(self) -> str:
        """The command that approves it (after a review)."""
        language = f" --language {self.language}" if self.language else ""
        return f"handouts approve {self.name}{language} --by \"<reviewer>\""

    @property
    def hint(self) -> str:
        """What to do about it."""
        if self.state == DRAFT:
            return f"have it reviewed, then run '{self.command}'"
        if self.state == OUTDATED:
            return (f"check it against the English {self.name}.md, update it and its source_hash, "
                    f"then run '{self.command}'")
        return f"review it and run '{self.command}' (or write 'status: draft')"


def sign_off(library: ContentLibrary, name: str, language: str | None = None) -> SignOff:
    """The sign-off of document (or part) `name`, or of its edition in `language`. Raises ContentError when the file
    cannot be read (or the edition is missing: ask `has_edition` first)."""
    english = library.load(name)
    if language is not None and primary(language) != primary(english.language):
        source = library.load(name, language)
        return SignOff(name, primary(language), source, state_of(source, english))
    return SignOff(name, None, english, state_of(english))


def state_of(source: Source, english: Source | None = None) -> str:
    """The sign-off state of `source`; with `english`, as an edition of that English source."""
    if source.status != "approved":
        return DRAFT
    if source.approved_sha256 is None:
        return UNHASHED
    if source.approved_sha256 != source.text_sha256:
        return CHANGED
    if english is not None:
        if source.source_sha256 is None:
            return SOURCE_UNKNOWN
        if source.source_sha256 != english.text_sha256:
            return OUTDATED
    return APPROVED


def parts(library: ContentLibrary) -> list[str]:
    """The parts of the English content ('_email', '_packet'): not documents, but patients read them too."""
    return sorted(p.stem for p in library.folder.glob("_*.md"))


def everything(library: ContentLibrary) -> list[tuple[str, str | None]]:
    """(name, language) of every document, part and edition, in listing order: the English documents and parts,
    then each edition folder's in the same order (files without an English source are left to lint)."""
    english = [*library.names(), *parts(library)]
    found: list[tuple[str, str | None]] = [(name, None) for name in english]
    for folder in library.edition_folders():
        present = set(library.edition_names(folder))
        found += [(name, folder.name) for name in english if name in present]
    return found


def require_approved(library: ContentLibrary, names: list[str], sample: bool) -> list[str]:
    """Refuse (InputError, rule `document-draft`) when one of `names` is not approved for patients; with the
    shipped sample profile nothing reaches a patient (every page says SAMPLE), so a note per draft instead."""
    from ..errors import InputError

    unapproved = [signed for signed in (sign_off(library, name) for name in dict.fromkeys(names))
                  if not signed.approved]
    if not unapproved or sample:
        return [f"{signed.name} is a draft; allowed because the clinic profile is the sample" for signed in unapproved]
    first, others = unapproved[0], [signed.name for signed in unapproved[1:]]
    also = f" (not approved either: {', '.join(others)})" if others else ""
    message = (f"'{first.name}' is a draft, not approved for patients" if first.state == DRAFT else
               f"'{first.name}' {first.reason}, so it counts as a draft")
    raise InputError(message + also, source=str(first.source.path), rule="document-draft", key="status",
                     hint=first.hint)
