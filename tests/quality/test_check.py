"""`check` on our PDFs and on a deliberately bad one."""

import pytest
from conftest import render
from reportlab.pdfgen.canvas import Canvas

from handouts.quality.check import check_pdf

DENSE = ("Notwithstanding considerable methodological heterogeneity, contemporary investigations "
         "substantiate multidimensional pathophysiological mechanisms underlying chronic widespread "
         "musculoskeletal nociception, necessitating individualized interdisciplinary therapeutic "
         "interventions encompassing pharmacological modalities.")


@pytest.fixture
def bad_pdf(tmp_path):
    """Small italic text, dense prose, running past the margin: everything large print forbids."""
    path = tmp_path / "bad.pdf"
    canvas = Canvas(str(path))
    canvas.setFont("Helvetica-Oblique", 10)
    y = 800
    for start in range(0, len(DENSE), 90):
        canvas.drawString(10, y, DENSE[start:start + 90])
        y -= 14
    canvas.save()
    return path


def rules(report) -> set[str]:
    return {f.rule for f in report.findings}


@pytest.mark.parametrize("layout", ["large-print", "extra-large"])
def test_our_large_print_passes_every_check(sample_project, tmp_path, layout):
    path = tmp_path / "ours.pdf"
    path.write_bytes(render(sample_project, "sample", layout))
    report = check_pdf(path, layout_class=layout, max_grade=8)
    assert report.passed, report.findings
    assert report.figures["smallest_size_pt"] >= {"large-print": 18, "extra-large": 24}[layout]
    assert report.figures["faces"] == ["AtkinsonHyperlegible-Bold", "AtkinsonHyperlegible-Regular"]


def test_a_bad_pdf_fails_each_check_it_should(bad_pdf):
    report = check_pdf(bad_pdf, layout_class="large-print", max_grade=6)
    assert not report.passed
    assert {"PRINT-SIZE", "PRINT-ITALIC", "PRINT-MARGIN", "PLAIN-GRADE"} <= rules(report)
    assert any(r.startswith("PDFUA1-") for r in rules(report))
    assert report.figures["smallest_size_pt"] == 10
    assert report.figures["grade"] > 12


def test_findings_say_it_plainly_and_keep_the_measurement(bad_pdf):
    findings = {f.rule: f for f in check_pdf(bad_pdf, layout_class="large-print").findings}
    size = findings["PRINT-SIZE"]
    assert (size.source, size.message, size.detail) == (
        str(bad_pdf), "text smaller than 18 pt, the large-print minimum", "smallest text 10 pt")
    assert all(f.detail for f in findings.values())  # validator failures keep the validator's own words


def test_standard_print_fails_the_large_print_class(sample_project, tmp_path):
    path = tmp_path / "standard.pdf"
    path.write_bytes(render(sample_project, "sample", "standard"))
    assert rules(check_pdf(path, layout_class="large-print", max_grade=8)) == {"PRINT-SIZE"}
    assert check_pdf(path, layout_class="standard", max_grade=8).passed


def test_missing_and_unreadable_files(tmp_path):
    assert check_pdf(tmp_path / "none.pdf").error == "file not found"
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 garbage")
    report = check_pdf(junk)
    assert not report.passed and report.error.startswith("not a readable PDF")


def test_a_long_pdf_is_read_up_to_a_bound_that_the_report_states(tmp_path):
    import time

    from handouts.quality import readback

    path = tmp_path / "long.pdf"
    canvas = Canvas(str(path))
    for number in range(readback.MAX_PAGES + 20):
        canvas.drawString(72, 700, f"Page {number}: a short line of plain words.")
        canvas.showPage()
    canvas.save()
    start = time.perf_counter()
    report = check_pdf(path)
    assert time.perf_counter() - start < 30
    assert report.figures["pages"] == readback.MAX_PAGES + 20
    assert report.figures["pages_read"] == readback.MAX_PAGES


def test_stacked_combining_marks_do_not_break_the_read_back(sample_project, tmp_path):
    from conftest import APPOINTMENT

    from handouts.load.project import Patient

    name = "Ana" + "".join(chr(0x301 + i) for i in range(6)) + " Lopez"
    path = tmp_path / "marks.pdf"
    path.write_bytes(render(sample_project, "sample", "standard", Patient.from_values(name), APPOINTMENT))
    report = check_pdf(path, "standard")
    assert report.error is None and report.passed, report.findings


def test_archive_adds_pdfa_and_catches_what_a_record_system_would_refuse(sample_project, tmp_path):
    import pikepdf

    ours = tmp_path / "ours.pdf"
    ours.write_bytes(render(sample_project, "sample"))
    report = check_pdf(ours, archive=True, max_grade=8)
    assert report.passed and report.figures["archive"]
    without_intent = tmp_path / "no-intent.pdf"
    with pikepdf.open(ours) as pdf:
        del pdf.Root["/OutputIntents"]  # still PDF/UA-1, no longer PDF/A: colours have no defined meaning
        pdf.save(without_intent)
    assert check_pdf(without_intent, max_grade=8).passed
    archived = check_pdf(without_intent, archive=True, max_grade=8)
    assert not archived.passed
    assert any("PDF/A-2a" in f.message for f in archived.findings)


def test_a_bug_in_handouts_is_not_reported_as_an_unreadable_pdf(sample_project, tmp_path, monkeypatch, capsys):
    from conftest import run

    import handouts.quality.check as check_module

    pdf = tmp_path / "ok.pdf"
    pdf.write_bytes(render(sample_project, "sample"))
    monkeypatch.setattr(check_module, "read_back", lambda *args: 1 / 0)  # a bug of ours, not the file's fault
    with pytest.raises(ZeroDivisionError):
        check_pdf(pdf)
    code, out, err = run(capsys, "check", str(pdf))
    assert code == 70 and "internal error" in err and "not a readable PDF" not in out
