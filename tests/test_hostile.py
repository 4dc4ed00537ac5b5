"""Hostile and malformed input: nothing crashes, nothing is injected, nothing is half-written."""

import os
import unicodedata

import pytest
from conftest import APPOINTMENT, DATA, LAYOUTS, render, run
from pdfread import conformance_failures, embedded_fonts, normalized, reader, runs, squeeze, text

from handouts.errors import InputError, OutputError, UnsupportedCharacterError
from handouts.files.atomic import write_atomically
from handouts.load.project import Patient

HOSTILE = [line for line in (DATA / "hostile_values.txt").read_text(encoding="utf-8").splitlines()
           if line and not line.startswith("# One")]




@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_print_exactly(sample_project, tmp_path, value):
    path = tmp_path / "out.pdf"
    path.write_bytes(render(sample_project, "sample", "standard", patient=Patient.from_values("X", value),
                            appointment=APPOINTMENT))
    assert f"Prepared for {unicodedata.normalize('NFC', value)}." in normalized(text(path))
    assert conformance_failures(path) == []


@pytest.mark.parametrize("name", ["Nguyễn Thị Minh Khai", "Ελένη Παπαδοπούλου", "Дмитрий Иванов"])
def test_other_scripts_use_the_bundled_fallback_face(sample_project, name):
    pdf = render(sample_project, "sample", patient=Patient.from_values(name), appointment=APPOINTMENT)
    fonts = embedded_fonts(reader(pdf))
    assert any(f.startswith("NotoSansHandoutsFallback") for f in fonts)
    assert name in normalized(text(pdf))
    drawn = "".join(t for _, t, *_ in runs(pdf))
    assert "\ufffd" not in drawn


@pytest.mark.parametrize("value,shown", [
    ("Zoe\u0308", "Zoë"),                       # decomposed → NFC
    ("Jo\u200bhn\u200d Smith\ufeff", "John Smith"),  # zero-width characters removed
    ("\u202eAna\u202c \u2066Lopez\u2069", "Ana Lopez"),  # bidi overrides removed: letters print as typed
    ("Line\none\ttwo\x07", "Line one two"),      # controls removed, breaks become spaces
])
def test_values_are_normalized_and_invisible_characters_removed(sample_project, value, shown):
    pdf = render(sample_project, "sample", patient=Patient.from_values("X", value), appointment=APPOINTMENT)
    assert f"Prepared for {shown}." in normalized(text(pdf))


@pytest.mark.parametrize("value", ["王小明", "Ana 🙂", "Ša\U0001F600"])
def test_characters_no_font_has_are_refused_with_the_field(sample_project, value):
    with pytest.raises(UnsupportedCharacterError, match="preferred name: the fonts cannot draw U\\+"):
        render(sample_project, "sample", patient=Patient.from_values("X", value), appointment=APPOINTMENT)


def test_content_with_characters_no_font_has_names_file_and_line(make_project):
    project = make_project(doc="---\ntitle: T\n---\nFine line.\n\nBad 漢字 line.\n")
    with pytest.raises(UnsupportedCharacterError, match=r"doc\.md:6: the fonts cannot draw U\+6F22"):
        render(project, "doc")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_long_values_wrap_inside_the_margins(sample_project, layout):
    name = " ".join(["Bartholomew-Alexandrina"] * 13)[:300]
    word = "W" + "x" * 119
    pdf = render(sample_project, "sample", layout, patient=Patient.from_values("X", f"{name} {word}"),
                 appointment=APPOINTMENT)
    from handouts.render.fonts import width

    for _, txt, size, font, x, _y, _ in runs(pdf):
        face = font.split("+", 1)[-1].replace("NotoSansHandoutsFallback", "NotoSansHandouts")
        assert x >= 72 - 0.01 and x + width(txt.rstrip(), face, size) <= 612 - 72 + 0.5
    assert squeeze(f"{name} {word}") in squeeze(text(pdf))


def test_long_web_address_in_content_wraps(make_project):
    url = "https://clinic.example/" + "/".join(f"section-{i}" for i in range(25))
    pdf = render(make_project(doc=f"---\ntitle: T\n---\nSee [{url}]({url}).\n"), "doc", "extra-large")
    assert squeeze(url) in squeeze(text(pdf))
    assert max(x for _, _, _, _, x, _, _ in runs(pdf)) < 612 - 72


def test_unwritable_output_folder_is_a_message(capsys, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = run(capsys, "build", "sample", "--layout", "standard", "--out", str(blocker / "sub"),
                       "--content", str(DATA), "--layouts", str(DATA.parent.parent / "layouts"))
    assert code == 2 and "cannot write there" in err and "Traceback" not in err


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "out" / "file.pdf"

    def broken_replace(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, b"%PDF-1.7 data")
    assert list((tmp_path / "out").iterdir()) == []


def test_an_old_file_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    target = tmp_path / "file.pdf"
    target.write_bytes(b"old")
    monkeypatch.setattr(os, "replace", lambda s, d: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(OutputError, match="cannot write the file"):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old" and len(list(tmp_path.iterdir())) == 1


def test_internal_errors_print_one_line_and_keep_details(capsys, monkeypatch, tmp_path):
    import handouts.batch.documents as build

    name = " ".join(("Jack", "Smith"))  # not written out, so the log's quoted source line cannot hold it

    def boom(*args, **kwargs):
        raise RuntimeError(f"simulated bug about {name}")  # a bug whose message holds a patient's name

    monkeypatch.setattr(build, "render_document", boom)
    code, _, err = run(capsys, "build", "sample", "--layout", "standard", "--out", str(tmp_path),
                       "--content", str(DATA), "--layouts", str(DATA.parent.parent / "layouts"))
    assert code == 70 and err.startswith("internal error:") and len(err.strip().splitlines()) == 1
    log = err.strip().rsplit(" ", 1)[-1]
    details = open(log).read()
    assert "RuntimeError" in details and "in boom" in details  # where it happened
    assert name not in details  # but not what the message said
    os.unlink(log)


def test_windows_1252_roster_is_a_message(capsys, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes("patient_id,name,appointment\nP1,José Müller,2026-12-03 09:30\n".encode("cp1252"))
    code, _, err = run(capsys, "packets", str(roster), "--out", str(tmp_path / "out"))
    assert code == 2 and "is not UTF-8" in err and "CSV UTF-8" in err
    assert not (tmp_path / "out").exists()


def test_source_date_epoch_sets_the_dates(sample_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764750600")
    first = render(sample_project, "sample")
    assert first == render(sample_project, "sample")
    assert reader(first).metadata["/CreationDate"].startswith("D:20251203")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        render(sample_project, "sample")
