"""The information dictionary written from a template kept by its patient-free fields (`_reportlab.info_bytes`):
byte for byte what ReportLab writes for any title and subject, the template holds neither, and a packet's Info in
its file is its own."""

import io
from datetime import datetime, timezone

import pikepdf
import pytest

from handouts.render import _reportlab
from handouts.render.metadata import apply_metadata

HOSTILE = [
    "Ana Lopez", "", " ", "a<b&c>d", "]]>", "<![CDATA[x]]>", "(unbalanced", "back\\slash)", "tab\tand\nnewline\r",
    "Дмитрий Иванов", "Nguyễn Thị Minh Khai", "Zoë Ångström", "😀 emoji", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u0000nul", "\ufeffBOM",
    "HandoutsInfoTitleMark", "(HandoutsInfoSubjectMark)", "€ euro (pdfdoc)", "x" * 2000,
]
CREATED = datetime(2000, 1, 1, tzinfo=timezone.utc)


def _canvas(title: str, subject: str, author: str = "Fictional Clinic"):
    canv = _reportlab.new_canvas(io.BytesIO(), (612, 792), "en-US", "Helvetica", 12)
    apply_metadata(canv, title=title, language="en-US", subject=subject, author=author, created=CREATED)
    canv._doc.info.invariant = canv._doc.invariant
    return canv


def _outcome(write, doc):
    """What `write(doc)` gives, or the kind of error it raises (a lone surrogate: both raise the same)."""
    try:
        return write(doc)
    except UnicodeError as error:
        return type(error)


@pytest.mark.parametrize("title", HOSTILE)
def test_the_kept_template_writes_what_reportlab_writes(title):
    _reportlab.INFO_TEMPLATES.clear()
    for subject in (title, "A summary", HOSTILE[len(title) % len(HOSTILE)]):
        doc = _canvas(title, subject)._doc
        assert _outcome(_reportlab.info_bytes, doc) == _outcome(lambda doc: _reportlab._written_info(doc.info, doc),
                                                                doc)
    assert len(_reportlab.INFO_TEMPLATES._made) == 1  # one template: the title and subject are not in its key


def test_the_template_holds_no_title_or_subject_and_other_fields_key_another():
    _reportlab.INFO_TEMPLATES.clear()
    doc = _canvas("Packet for Ana Lopez", "Summary for Ana Lopez")._doc
    _reportlab.info_bytes(doc)
    (key, template), = _reportlab.INFO_TEMPLATES._made.items()
    assert "Ana" not in repr(key) and b"Ana" not in b"".join(p for p in template if type(p) is bytes)
    other = _canvas("Packet for Ana Lopez", "Summary for Ana Lopez", author="Another Clinic")._doc
    assert b"Another Clinic" in _reportlab.info_bytes(other)
    assert len(_reportlab.INFO_TEMPLATES._made) == 2


def test_a_packet_file_has_its_own_title(project):
    from handouts.load.project import Patient
    from handouts.pipeline import packet_document, render_checked

    made = {}
    for name in ("Дмитрий Иванов", "Ana <Lopez> & ]]>", "Zoë Ångström"):
        document = packet_document(project, Patient.from_values(name), datetime(2026, 12, 3, 9, 30),
                                   ("infusion-day-checklist",))
        data = render_checked(project, document, project.layouts.load("standard"), "packet")
        with pikepdf.open(io.BytesIO(data)) as pdf:
            made[name] = str(pdf.docinfo["/Title"])
            assert pdf.open_metadata()["dc:title"] == made[name]
    for name, title in made.items():
        assert name in title and not [other for other in made if other != name and other in title]


def test_a_packet_written_from_a_kept_file_leaves_reportlab_as_it_was(project, monkeypatch):
    """made_holes writes the patient's page streams with Flate alone (`_flate_only`), then puts ReportLab back."""
    from hostile_roster import ROWS, roster_row
    from reportlab import rl_config

    from handouts.batch.workers import render_row
    from handouts.render import assembly

    held = rl_config.useA85
    assert held  # ReportLab's default: ASCII85 on top of Flate, unless the writer says otherwise
    assembly.TEMPLATES.clear()
    made = []
    original = _reportlab.made_holes
    monkeypatch.setattr(_reportlab, "made_holes", lambda *args: made.append(rl_config.useA85) or original(*args))
    for number, row in enumerate(ROWS[:2], start=2):  # the second written from the first's kept file
        data = render_row(roster_row(number, row), project).pdf
        assert rl_config.useA85 == held and b"ASCII85Decode" not in data
    assert made == [held]  # one packet written from a kept file, its pages' streams Flate alone


@pytest.mark.parametrize("title", HOSTILE)
def test_the_xmp_template_writes_what_formatting_it_whole_writes(title):
    from handouts.render import metadata

    for subject, author, language in ((title, "Fictional Clinic", "en-US"), ("A <b> & c", "Clínica & <Co>", "es-US"),
                                      ("s", "\x00title\x00 clinic", "en-US")):
        fields = dict(title=title, subject=subject, author=author, language=language, created=CREATED)
        try:
            whole = metadata.xmp_formatted(**fields)
        except UnicodeEncodeError:  # a lone surrogate: neither writes it
            with pytest.raises(UnicodeEncodeError):
                metadata.xmp_packet(**fields)
            continue
        assert metadata.xmp_packet(**fields) == whole
    kept = metadata._xmp_template("Fictional Clinic", "en-US", CREATED)
    assert kept is not None
    assert not title.strip() or not [part for part in kept if title.encode("utf-8") in part]
    assert metadata._xmp_template("\x00title\x00 clinic", "en-US", CREATED) is None  # a mark twice: formatted whole


def test_a_lone_surrogate_raises_as_before():
    """Neither the template nor the whole formatting writes a title that is not Unicode text: both raise."""
    from handouts.render import metadata

    fields = dict(title="lone \ud800 surrogate", subject="s", author="Fictional Clinic", language="en-US",
                  created=CREATED)
    for write in (metadata.xmp_formatted, metadata.xmp_packet):
        with pytest.raises(UnicodeEncodeError):
            write(**fields)
