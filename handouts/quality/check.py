"""Check PDFs against PDF/UA-1 with an independent validator, in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import page
from pdfminer.psexceptions import PSException
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ..errors import Finding
from ..load.locale import Locale
from ..load.print_rules import MIN_BODY, MIN_MARGIN
from ..text.readability import FORMULAS, Readability
from .readback import read_back

# What the three readers raise for a file they cannot read. Anything else is a bug in handouts: reported as one
# (exit 70, with a log), never as "not a readable PDF".
UNREADABLE = (page.PageError, PyPdfError, PSException, OSError)

# Rule-id fragments and what they mean for a reader, most specific first.
EXPLANATIONS = [
    ("CONTENT-TAGGING",
     "some page content is neither tagged nor marked as decoration, so screen readers skip or garble it"),
    ("FONT-EMBEDDING", "a font is not embedded, so the text may look wrong on another computer"),
    ("FONT-UNICODE", "a font cannot say which letters it draws, so copied or spoken text is wrong"),
    ("ID-", "the file does not declare itself as PDF/UA"),
    ("METADATA-TITLE", "the document has no title in its metadata"),
    ("METADATA", "the document metadata (XMP) is missing or malformed"),
    ("STRUCT-TREE", "the file has no structure tree, so it has no reading order or headings for assistive technology"),
    ("TAGGED-DOCUMENT", "the file is not marked as tagged"),
    ("LANGUAGE", "the text language is not set, so text-to-speech may use the wrong voice"),
    ("VIEWER-PREFERENCES", "viewers show the file name instead of the document title"),
    ("HEADING", "headings are missing or skip a level"),
    ("ANNOT", "a link or other annotation is not tagged or has no description"),
    ("LINK", "a link is not tagged or has no description"),
    ("FIGURE", "an image has no text alternative"),
    ("TABLE", "a table is not tagged correctly"),
    ("LIST", "a list is not tagged correctly"),
]


ARCHIVE_EXPLANATION = "the file breaks a PDF/A-2a rule, so it is not fit to file as an archival copy"


@dataclass
class FileReport:
    path: str
    passed: bool
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    figures: dict = field(default_factory=dict)  # what was measured, pass or fail

    def to_dict(self) -> dict:
        return {"file": self.path, "passed": self.passed, "error": self.error,
                "failures": [f.to_dict() for f in self.findings], "measured": self.figures}


def explain(rule_id: str) -> str:
    for fragment, text in EXPLANATIONS:
        if fragment in rule_id:
            return text
    return "the file breaks a PDF/UA-1 rule"


def check_pdf(path: Path, layout_class: str | None = None, max_grade: float = 6.0,
              archive: bool = False) -> FileReport:
    """PDF/UA-1 validation plus what a large-print reader meets on the page.

    `layout_class` (standard, large-print, extra-large) sets the smallest
    allowed glyph size and margin; without it only the page edges count.
    `archive` adds PDF/A-2a, what a patient record expects of a filed copy.
    """
    if not Path(path).is_file():
        return FileReport(str(path), False, error="file not found")
    margin = MIN_MARGIN[layout_class] if layout_class else 0.0
    try:
        report = page.validate_pdf(str(path), profile="ua1")
        archived = page.validate_pdf(str(path), profile=page.ValidationProfile.PDF_A_2A) if archive else None
        pages = len(PdfReader(str(path)).pages)
        shown = read_back(Path(path), margin)
    except UNREADABLE as exc:  # the file is not a readable PDF
        return FileReport(str(path), False, error=f"not a readable PDF ({exc})")
    # The plain-language meaning is the message; the validator's own words stay as the detail.
    language = _catalog_language(Path(path))  # the reading formula follows the document's /Lang
    findings = [Finding(explain(f.rule_id), str(path), rule=f.rule_id, detail=f.message) for f in report.failures]
    if archived is not None:
        findings += [Finding(ARCHIVE_EXPLANATION, str(path), rule=f.rule_id, detail=f.message)
                     for f in archived.failures]
        if not archived.is_compliant and not archived.failures:
            findings.append(Finding(ARCHIVE_EXPLANATION, str(path), rule="PDF/A-2a"))
    # The reading formula, its target and the footer's page label follow the document's /Lang.
    locale = Locale.for_tag(language)
    level = FORMULAS[locale.formula].measure(shown.body_text(locale.page_number))
    findings += _print_findings(str(path), shown, layout_class, max_grade, locale, level)
    figures = {
        "smallest_size_pt": shown.smallest_size,
        "faces": shown.faces,
        "grade": level.grade,
        "reading_ease": level.reading_ease,
        "average_sentence_length": level.average_sentence_length,
        "language": language,
        "readability_formula": level.formula,
        "pages": pages,
        "pages_read": shown.pages_read,  # print and reading checks read at most the first MAX_PAGES pages
        "text_cut": shown.text_cut,
        "archive": archive,  # PDF/A-2a checked too
    }
    return FileReport(str(path), bool(report.is_compliant) and not findings, findings, figures=figures)


def _catalog_language(path: Path) -> str | None:
    try:
        value = PdfReader(str(path)).trailer["/Root"].get("/Lang")
    except UNREADABLE:  # an unreadable file is reported by the validator
        return None
    return str(value) if value is not None else None


def _print_findings(path: str, shown, layout_class: str | None, max_grade: float, locale: Locale,
                    level: Readability) -> list[Finding]:
    def found(rule: str, message: str, detail: str, hint: str | None = None) -> Finding:
        return Finding(message, path, rule=rule, hint=hint, detail=detail)

    findings = []
    if layout_class:
        minimum = MIN_BODY[layout_class]
        if shown.smallest_size < minimum - 0.01:
            findings.append(found("PRINT-SIZE", f"text smaller than {minimum:g} pt, the {layout_class} minimum",
                                  f"smallest text {shown.smallest_size:g} pt"))
    for face in shown.italic_faces:
        findings.append(found("PRINT-ITALIC", "an italic or oblique face is used; large print never uses italics",
                              face))
    if shown.outside:
        page_number, ch = shown.outside[0]
        findings.append(found("PRINT-MARGIN", f"text runs outside the {shown.margin:g} pt margins",
                              f"{shown.outside_count} glyph(s), first '{ch}' on page {page_number}"))
    formula = FORMULAS[locale.formula]
    if level.words and formula.scale == "ease":
        if level.reading_ease < locale.min_ease:
            named = f" ('{locale.min_ease_name}')" if locale.min_ease_name else ""
            findings.append(found("PLAIN-EASE", f"reading ease below {locale.min_ease:g}{named}",
                                  f"{formula.title} {level.reading_ease:.1f}", "use shorter sentences and words"))
    elif level.words and level.grade > max_grade:
        findings.append(found("PLAIN-GRADE", f"reading level above grade {max_grade:g}",
                              f"Flesch-Kincaid grade {level.grade:.1f}", "use shorter sentences and words"))
    return findings
