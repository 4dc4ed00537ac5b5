"""Check PDFs against PDF/UA-1 with an independent validator, in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import page

# Rule-id fragments and what they mean for a reader, most specific first.
EXPLANATIONS = [
    ("CONTENT-TAGGING", "some page content is neither tagged nor marked as decoration, so screen readers skip or garble it"),
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


@dataclass
class Finding:
    rule: str
    message: str
    explanation: str


@dataclass
class FileReport:
    path: str
    passed: bool
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict:
        return {"file": self.path, "passed": self.passed, "error": self.error,
                "failures": [vars(f) for f in self.findings]}


def explain(rule_id: str) -> str:
    for fragment, text in EXPLANATIONS:
        if fragment in rule_id:
            return text
    return "the file breaks a PDF/UA-1 rule"


def check_pdf(path: Path) -> FileReport:
    try:
        report = page.validate_pdf(str(path), profile="ua1")
    except FileNotFoundError:
        return FileReport(str(path), False, error="file not found")
    except Exception as exc:  # the validator's own parse errors: the file is not a readable PDF
        return FileReport(str(path), False, error=f"not a readable PDF ({exc})")
    findings = [Finding(f.rule_id, f.message, explain(f.rule_id)) for f in report.failures]
    return FileReport(str(path), bool(report.is_compliant) and not findings, findings)
