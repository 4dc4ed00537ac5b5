"""The print job made from the objects the writer hands over with each packet (`RenderedPDF.objects`): the same job,
page for page and element for element, as the one made the old way (each packet read back with pikepdf), and each
packet's pages show that packet's patient and nobody else."""

import io
import re
from datetime import datetime

import pikepdf
import pypdfium2
import pytest
from conftest import REPO
from pdfread import conformance_failures, normalized, struct_tree
from pikepdf_fragment import old_fragment_of
from pypdf import PdfReader

from handouts.batch.printjob import PrintJob, _local_references, fragment_of
from handouts.batch.workers import render_row
from handouts.errors import InternalError
from handouts.load.project import Project
from handouts.load.roster import RosterRow

# Names that differ by a letter, one inside another, and in other scripts: a page in the wrong place shows up.
NAMES = ["Ann Lee", "Ann Leeds", "Anne Lee", "Ann Li", "Ana Lee", "Zoë Lee", "Ελένη Lee"]
LAYOUTS = ["standard", "large-print", "extra-large"]


def _rows(project):
    documents = tuple(project.content.names())
    return [RosterRow(i + 2, f"P{i + 1}", name, "", datetime(2026, 12, 3, 9 + i, 30), LAYOUTS[i % 3], documents, "",
                      "es" if i == 3 else "en")
            for i, name in enumerate(NAMES)]


def _job(tmp_path, name, fragments) -> bytes:
    target = tmp_path / name
    with PrintJob(target) as job:
        for i, fragment in enumerate(fragments):
            job.add(f"P{i + 1} (2026-12-03 09:30)", fragment)
        job.finish()
    return target.read_bytes()


@pytest.fixture(scope="module")
def made():
    """Each roster row rendered as a worker renders it with a print job: the packet and its share."""
    project = Project.open(REPO / "content", REPO / "layouts")
    sent: set = set()
    return [render_row(row, project, print_job=True, sent=sent) for row in _rows(project)]


def _elements(element, depth=0):
    """The structure tree as (depth, role, its own text, links and fields), in reading order."""
    yield depth, element.role, normalized(element.text), element.alt, element.links
    for kid in element.kids:
        yield from _elements(kid, depth + 1)


def test_the_direct_job_is_the_old_job_page_for_page_and_element_for_element(tmp_path, made):
    assert all(rendered.failure is None for rendered in made)
    direct = _job(tmp_path, "direct.pdf", [rendered.fragment for rendered in made])
    old = _job(tmp_path, "old.pdf", [old_fragment_of(bytes(rendered.pdf)) for rendered in made])
    new_reader, old_reader = PdfReader(io.BytesIO(direct)), PdfReader(io.BytesIO(old))
    assert len(new_reader.pages) == len(old_reader.pages) == sum(r.pdf.pages + r.pdf.pages % 2 for r in made[:-1]) \
        + made[-1].pdf.pages
    for new_page, old_page in zip(new_reader.pages, old_reader.pages):
        assert new_page.extract_text() == old_page.extract_text()
        assert new_page.mediabox == old_page.mediabox
        assert len(new_page.get("/Annots", [])) == len(old_page.get("/Annots", []))
    assert list(_elements(struct_tree(new_reader))) == list(_elements(struct_tree(old_reader)))
    assert new_reader.page_labels == old_reader.page_labels
    assert [o.title for o in new_reader.outline] == [o.title for o in old_reader.outline]
    assert sorted(new_reader.get_fields()) == sorted(old_reader.get_fields())
    with pikepdf.open(io.BytesIO(direct)) as new_pdf, pikepdf.open(io.BytesIO(old)) as old_pdf:
        assert new_pdf.check_pdf_syntax() == []
        assert len(_font_files(new_pdf)) == len(_font_files(old_pdf))  # what packets share: written once, as before
        assert len(new_pdf.objects) <= len(old_pdf.objects)
    assert len(direct) <= len(old) * 1.02
    assert _pictures(direct) == _pictures(old)  # every page, fields drawn, pixel for pixel
    assert conformance_failures(direct) == []


def _pictures(pdf: bytes) -> list[bytes]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[i].render(scale=0.5, may_draw_forms=True).to_pil().tobytes() for i in range(len(document))]
    finally:
        document.close()


def _font_files(pdf) -> list:
    return [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and "/Length1" in o.stream_dict]


def test_each_packets_pages_in_the_job_show_its_patient_and_nobody_else(tmp_path, made):
    direct = PdfReader(io.BytesIO(_job(tmp_path, "direct.pdf", [rendered.fragment for rendered in made])))
    pages: dict[str, list[str]] = {}
    for label, page in zip(direct.page_labels, direct.pages):
        pages.setdefault(label.rsplit("-", 1)[0], []).append(normalized(page.extract_text()))
    assert list(pages) == [f"P{i + 1}" for i in range(len(NAMES))]
    for (packet, texts), rendered, own in zip(pages.items(), made, NAMES):
        assert len([t for t in texts if t]) == rendered.pdf.pages  # its pages, in order, and a blank back at most
        assert texts[:rendered.pdf.pages] == [normalized(p.extract_text())
                                              for p in PdfReader(io.BytesIO(bytes(rendered.pdf))).pages]
        shown = "\n".join(texts)
        assert own in shown, packet
        for other in NAMES:
            if other != own:
                assert not re.search(rf"(?<!\w){re.escape(other)}(?!\w)", shown), (packet, other)
    for part, own in zip(struct_tree(direct).kids, NAMES):  # the structure tree's Parts too
        assert part.role == "Part" and own in normalized(part.all_text())
        assert not any(re.search(rf"(?<!\w){re.escape(other)}(?!\w)", normalized(part.all_text()))
                       for other in NAMES if other != own)


def test_the_writers_objects_and_the_files_give_the_same_share(made):
    """Whether the share is made from the objects the writer handed over or from the packet's bytes (a packet file
    added to a job), it is the same, shared objects and all."""
    for rendered in made[:3]:
        assert rendered.pdf.objects is not None
        assert fragment_of(rendered.pdf, set()) == fragment_of(bytes(rendered.pdf), set())
    first, later = fragment_of(made[0].pdf, set()), fragment_of(made[1].pdf, {key for key, _, _ in filter(
        None, fragment_of(made[0].pdf, set()).objects) if key is not None})
    assert any(entry and entry[0] and not entry[1] for entry in later.objects)  # named by key alone
    sent_here = set()  # the first packet sends every object; a copy of one inside it goes by key, after it
    for entry in filter(None, first.objects):
        assert entry[1] or entry[0] in sent_here
        sent_here.add(entry[0])


def test_a_reference_inside_a_string_stays_text():
    head = b"<< /Alt (see 5 0 R \\(and 6 0 R\\) \\\\ 7 0 R) /Obj 12 0 R /K [3 0 R (\\)\\() 4 0 R] >>"
    assert _local_references(head) == (b"<< /Alt (see 5 0 R \\(and 6 0 R\\) \\\\ 7 0 R) /Obj 12\x01 /K [3\x01 "
                                       b"(\\)\\() 4\x01] >>")


def test_a_file_handouts_did_not_write_is_refused(tmp_path):
    with pytest.raises(InternalError, match="not a file handouts wrote"):
        fragment_of(b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
