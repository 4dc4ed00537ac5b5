"""Our PDFs as pdf.js (Firefox's viewer) and poppler read them: every field named and in its place, every
checkbox and blank announced, each packet document a part of its own, contents that link."""

import difflib
import os
from datetime import datetime
from pathlib import Path

import pytest
from conftest import DATA, LAYOUTS, render
from pdfread import conformance_failures, fill_form
from viewers import annotation_ids, content_ids, nodes, pdfinfo_struct_text, pdfjs_view

from handouts.pipeline import render_checked
from handouts.pipeline import packet_document
from handouts.load.project import Patient

SNAPSHOT = DATA / "packet.struct-text.txt"
PACKET = ("infusion-day-checklist", "fibromyalgia-ketamine")


@pytest.fixture(scope="module")
def viewed(project, tmp_path_factory):
    """pdf.js's view of each PDF, made once: the checklist and handout in every layout, printed and fillable."""
    folder = tmp_path_factory.mktemp("viewed")
    found = {}
    for layout in LAYOUTS:
        for name in PACKET:
            found[name, layout, True] = pdfjs_view(render(project, name, layout), folder)
    found["infusion-day-checklist", "large-print", False] = pdfjs_view(
        render(project, "infusion-day-checklist", "large-print", forms=False), folder)
    return found


def _packet(project) -> bytes:
    document = packet_document(project, Patient.from_values("Rita Vale", "Rita"), datetime(2026, 12, 3, 9, 30),
                               PACKET)
    return render_checked(project, document, project.layouts.load("large-print"), "packet")


def _widgets(view: dict) -> dict[str, dict]:
    return {a["id"]: a for page in view["pages"] for a in page["annotations"] if a["subtype"] == "Widget"}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_field_is_named_and_sits_in_its_place(viewed, layout):
    view = viewed["infusion-day-checklist", layout, True]
    widgets = _widgets(view)
    assert len(widgets) >= 7
    assert all(w["alternativeText"].strip() for w in widgets.values())  # what a screen reader says for it
    placed: list[str] = []
    for page in view["pages"]:
        tree = page["structTree"]
        forms = nodes(tree, "Form")
        for form in forms:
            (widget,) = annotation_ids(form)  # a Form holds exactly its widget
            placed.append(widget)
        for item in nodes(tree, "LI"):
            label, body = item["children"]
            boxes = [i for form in nodes(label, "Form") for i in annotation_ids(form)]
            for box in boxes:  # a check box: inside its own list item's label, before the step it asks for
                assert widgets[box]["checkBox"] and widgets[box]["fieldType"] == "Btn"
                assert content_ids(body), "the list item's text follows its check box"
        for paragraph in nodes(tree, "P"):
            lines = [i for form in nodes(paragraph, "Form") for i in annotation_ids(form)]
            for line in lines:  # a text field comes right after the words that ask for it
                assert widgets[line]["fieldType"] == "Tx"
                assert paragraph["children"][0].get("type") == "content"
                assert paragraph["children"][-1]["role"] == "Form"
    assert sorted(placed) == sorted(widgets)  # every widget once in the structure, none left out
    assert set(view["fields"]) == {w["fieldName"] for w in widgets.values()}  # and in the form


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fields_come_in_reading_order(viewed, layout):
    view = viewed["infusion-day-checklist", layout, True]
    widgets = _widgets(view)
    for page in view["pages"]:
        order = [i for form in nodes(page["structTree"], "Form") for i in annotation_ids(form)]
        tops = [widgets[i]["rect"][3] for i in order]
        assert tops == sorted(tops, reverse=True)  # top to bottom, as they are read


def test_printed_checkboxes_and_blanks_are_announced(viewed):
    view = viewed["infusion-day-checklist", "large-print", False]
    assert _widgets(view) == {} and view["fields"] == {}
    trees = [page["structTree"] for page in view["pages"]]
    figures = [figure for tree in trees for label in nodes(tree, "Lbl") for figure in nodes(label, "Figure")]
    assert figures and all(f["alt"] == "check box, not ticked" for f in figures)
    spans = [span for tree in trees for span in nodes(tree, "Span")]
    assert [s["alt"] for s in spans] == ["blank line to write: Appointment date and time",
                                         "blank line to write: Driver's name and phone",
                                         "blank line to write: Pickup time"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_links_are_named_and_tagged(viewed, layout):
    for name in PACKET:
        view = viewed[name, layout, True]
        for page in view["pages"]:
            links = {a["id"]: a for a in page["annotations"] if a["subtype"] == "Link"}
            tagged = [i for link in nodes(page["structTree"], "Link") for i in annotation_ids(link)]
            assert sorted(tagged) == sorted(links)
            assert all(link["contents"].strip() for link in links.values())


def test_a_packet_is_parts_with_a_contents_list_that_links(project, tmp_path):
    view = pdfjs_view(_packet(project), tmp_path)
    trees = [page["structTree"] for page in view["pages"]]
    documents = [doc for tree in trees[:1] for doc in nodes(tree, "Document")]
    assert len(documents) == 1
    parts_by_page = [[part for part in nodes(tree, "Part")] for tree in trees]
    h1_pages = [i for i, tree in enumerate(trees) for _ in nodes(tree, "H1")]
    assert len(h1_pages) == 3  # the opening, the checklist, the handout: one title each
    opening = view["pages"][:h1_pages[1]]  # the contents list closes the opening, which may take two pages
    links = [a for page in opening for a in page["annotations"] if a["subtype"] == "Link" and "destPage" in a]
    assert [a["destPage"] for a in links] == h1_pages[1:]  # each goes to where its document starts
    assert [a["contents"] for a in links] == ["Your infusion day checklist", "Fibromyalgia and ketamine infusions"]
    assert all(parts for parts in parts_by_page)  # every page's content sits in a Part
    titles = [(item["title"], [kid["title"] for kid in item["items"]]) for item in view["outline"]]
    assert [title for title, _ in titles] == ["Your appointment packet", "Your infusion day checklist",
                                              "Fibromyalgia and ketamine infusions"]
    assert all(kids for _, kids in titles)  # each document's headings nest under its title


def test_a_form_filled_and_saved_shows_its_values(project, tmp_path):
    filled = fill_form(render(project, "infusion-day-checklist", "standard"),
                       {"checkbox-1": "/Yes", "checkbox-3": "/Yes", "drivers-name-and-phone": "Rita Vale 555-0188"},
                       tmp_path / "filled.pdf")
    fields = pdfjs_view(filled)["fields"]
    assert fields["checkbox-1"][0]["value"] == fields["checkbox-3"][0]["value"] == "Yes"
    assert fields["checkbox-2"][0]["value"] == "Off"
    assert fields["drivers-name-and-phone"][0]["value"] == "Rita Vale 555-0188"


def test_poppler_reads_the_approved_structure(project, tmp_path):
    """`pdfinfo -struct-text` of one packet, against the snapshot a person approved
    (HANDOUTS_UPDATE_SNAPSHOTS=1 writes it anew; review the diff before committing)."""
    path = tmp_path / "packet.pdf"
    path.write_bytes(_packet(project))
    shown = pdfinfo_struct_text(path)
    if os.environ.get("HANDOUTS_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(shown, encoding="utf-8")
        pytest.skip(f"snapshot written to {SNAPSHOT}")
    approved = SNAPSHOT.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(approved.splitlines(True), shown.splitlines(True), "approved", "now"))
    assert shown == approved, f"the packet's structure changed (HANDOUTS_UPDATE_SNAPSHOTS=1 to approve):\n{diff}"
    assert "Rita" in shown and "Checkbox" not in shown


DRIVER_LINE = "Maria Gonzalez (512) 555-0100 cell phone"  # a driver's name and phone: 40 characters
SHORT_LINE = "about 11:15 a. m."  # a pickup time
TYPED = "José Peña ¿Á Ñ ü? ĉŋŵ"  # Latin-1 and Latin Extended-A letters the document's own text never uses


def _pdfjs_filled(project, tmp_path, layout: str, language: str | None) -> tuple[Path, dict[str, str]]:
    """The checklist filled in pdf.js (Firefox's viewer) and saved: the first line typed with TYPED, the driver's
    line (a long answer) with DRIVER_LINE, every other line (a short answer) with SHORT_LINE, the second box
    ticked."""
    from handouts.pipeline import render_document
    from viewers import pdfjs_fill

    pdf = bytes(render_document(project, "infusion-day-checklist", project.layouts.load(layout), language=language))
    assert conformance_failures(pdf) == []  # before filling too
    texts = [name for name, fields in pdfjs_view(pdf, tmp_path)["fields"].items() if fields[0]["type"] == "text"]
    assert len(texts) >= 3
    typed = {name: TYPED if i == 0 else DRIVER_LINE if "driver" in name or "telefono" in name else SHORT_LINE
             for i, name in enumerate(texts)}
    assert DRIVER_LINE in typed.values() and SHORT_LINE in typed.values()
    return pdfjs_fill(pdf, {**typed, "checkbox-2": True}, tmp_path / "filled.pdf"), typed


def _widget_rects(path: Path) -> list[tuple[int, float, dict]]:
    """(page index, page height, widget) for every widget of a PDF."""
    from pdfread import reader

    return [(number, float(page.mediabox.top), annotation.get_object())
            for number, page in enumerate(reader(path).pages) for annotation in page.get("/Annots", [])
            if annotation.get_object()["/Subtype"] == "/Widget"]


def _box_is_drawn(image, height: float, widget, ticked: bool) -> bool:
    """Dark pixels all along the four sides of the check box's square, and a tick inside it only when ticked."""
    from handouts.render.forms import TICK
    from viewers import dark

    x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
    half = float(widget["/BS"]["/W"]) / 2
    steps = [i / 10 for i in range(2, 9)]
    sides = [(x0 + half, y0 + (y1 - y0) * t) for t in steps] + [(x1 - half, y0 + (y1 - y0) * t) for t in steps] + \
        [(x0 + (x1 - x0) * t, y0 + half) for t in steps] + [(x0 + (x1 - x0) * t, y1 - half) for t in steps]
    side = x1 - x0 - 2 * half
    (ax, ay), (bx, by) = TICK[1:]  # the middle of the tick's long stroke
    tick = (x0 + half + side * (ax + bx) / 2, y0 + half + side * (ay + by) / 2)
    return all(dark(image, height, sides)) and dark(image, height, [tick]) == [ticked]


@pytest.mark.parametrize("language", [None, "es"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_form_filled_and_saved_in_pdfjs_stays_valid_and_shows_what_was_typed(project, tmp_path, layout, language):
    """A patient types letters the document's text may not use and a 40-character driver line, ticks a box and
    saves in pdf.js: the file stays PDF/UA-1 and PDF/A-2a; poppler shows everything typed, whole, at the layout's
    type size, and draws every box, ticked or not."""
    import re
    import subprocess

    from viewers import pdfinfo, poppler_pages

    filled, typed = _pdfjs_filled(project, tmp_path, layout, language)
    assert conformance_failures(filled) == []
    pdfinfo()  # poppler installed (pdftotext and pdftoppm come with it)
    shown = " ".join(subprocess.run(["pdftotext", str(filled), "-"], capture_output=True, text=True,
                                    check=True).stdout.split())
    for value in set(typed.values()):  # nothing clipped
        assert shown.count(value) == list(typed.values()).count(value), (value, shown)
    fields = pdfjs_view(filled, tmp_path)["fields"]
    assert fields["checkbox-2"][0]["value"] == "Yes" and fields["checkbox-1"][0]["value"] == "Off"
    size = project.layouts.load(layout).body_size
    images = poppler_pages(filled)
    for number, height, widget in _widget_rects(filled):
        if widget["/FT"] == "/Tx":  # pdf.js kept the layout's type size in what it drew
            drawn = widget["/AP"]["/N"].get_data().decode("latin-1")
            assert re.findall(r"/HandoutsForm ([\d.]+) Tf", drawn) == [f"{size:g}"], drawn
        else:
            assert _box_is_drawn(images[number], height, widget, ticked=widget["/T"] == "checkbox-2"), widget["/T"]


def test_a_viewer_that_makes_its_own_check_box_appearances_still_draws_the_boxes(project, tmp_path):
    """A viewer that rebuilds appearances (poppler does, for a widget without /AP) draws each box from its /MK."""
    import pikepdf

    from viewers import poppler_pages

    filled, _ = _pdfjs_filled(project, tmp_path, "large-print", None)
    rebuilt = tmp_path / "rebuilt.pdf"
    with pikepdf.open(filled) as pdf:
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                if annotation.get("/FT") == "/Btn":
                    del annotation["/AP"]
        pdf.save(rebuilt)
    images = poppler_pages(rebuilt)
    boxes = [(number, height, widget) for number, height, widget in _widget_rects(rebuilt) if widget["/FT"] == "/Btn"]
    assert len(boxes) >= 5
    for number, height, widget in boxes:
        if widget["/T"] != "checkbox-2":  # poppler draws a ticked box's caption only in ZapfDingbats
            assert _box_is_drawn(images[number], height, widget, ticked=False), widget["/T"]


@pytest.mark.parametrize("language", [None, "es"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_link_says_the_words_it_is_on(project, layout, language):
    """A link annotation's /Contents (what a screen reader may say for it) is its visible words ("(512) 555-0142"),
    never its address ("tel:+15125550142"): in the checklist, the handout and a packet."""
    from handouts.pipeline import render_document
    from pdfread import reader, struct_tree

    chosen = project.layouts.load(layout)
    pdfs = [bytes(render_document(project, name, chosen, language=language)) for name in PACKET]
    if language is None:
        pdfs.append(_packet(project))
    phones = 0
    for pdf in pdfs:
        for link in struct_tree(reader(pdf)).find("Link"):
            words = " ".join(link.all_text().split())
            assert link.annotations and words
            for annotation in link.annotations:
                said = str(annotation["/Contents"])
                assert said == words, (said, words)
                if "/A" in annotation and str(annotation["/A"]["/URI"]).startswith("tel:"):
                    assert not said.startswith("tel:")
                    phones += 1
    assert phones >= 4
