"""The fillable checklist: fields a viewer can tick and type in, that print as shown and stay valid when saved."""

import pytest
from conftest import LAYOUTS, render
from pdfread import conformance_failures, fill_form, reader, struct_tree
from pypdf import PdfReader


@pytest.fixture(scope="module")
def checklists(project):
    return {layout: render(project, "infusion-day-checklist", layout) for layout in LAYOUTS}


def _widgets(pdf: bytes) -> list:
    return [a.get_object() for page in reader(pdf).pages for a in page.get("/Annots", [])
            if a.get_object()["/Subtype"] == "/Widget"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fields_are_sized_for_the_layout(project, checklists, layout):
    chosen = project.layouts.load(layout)
    widgets = _widgets(checklists[layout])
    boxes = [w for w in widgets if w["/FT"] == "/Btn"]
    lines = [w for w in widgets if w["/FT"] == "/Tx"]
    assert len(boxes) >= 5 and len(lines) >= 2
    for box in boxes:
        x0, y0, x1, y1 = (float(v) for v in box["/Rect"])
        assert x1 - x0 == pytest.approx(y1 - y0) and x1 - x0 >= chosen.checkbox_size  # square, the layout's size
    for line in lines:
        assert str(line["/DA"]).startswith(f"/HandoutsForm {chosen.body_size:g} Tf")  # typed at the body size
        x0, y0, x1, y1 = (float(v) for v in line["/Rect"])
        assert y1 - y0 >= chosen.body_size and x1 - x0 >= 6 * chosen.body_size
    assert all(w["/F"] == 4 for w in widgets)  # printed, never hidden
    assert "/NeedAppearances" not in reader(checklists[layout]).trailer["/Root"]["/AcroForm"]  # PDF/A forbids it


def test_a_ticked_box_draws_its_tick_and_an_unticked_one_does_not(checklists):
    box = next(w for w in _widgets(checklists["large-print"]) if w["/FT"] == "/Btn")
    ticked, unticked = (box["/AP"]["/N"][state].get_data().decode() for state in ("/Yes", "/Off"))
    assert ticked.count(" l") == 2 and " m " in ticked  # the two strokes of the tick
    assert " re S" in ticked and " re S" in unticked and " m " not in unticked


def test_every_field_is_named_and_sits_in_its_list_item(checklists):
    pdf = checklists["standard"]
    tree = struct_tree(reader(pdf))
    widgets = _widgets(pdf)
    forms = tree.find("Form")
    assert len(forms) == len(widgets)  # every widget is in the structure, once
    assert all(str(form.annotations[0]["/TU"]).strip() for form in forms)
    items = tree.find("LI")
    for item in items:
        label_forms = [f for label in item.kids if label.role == "Lbl" for f in label.find("Form")]
        body = next(kid for kid in item.kids if kid.role == "LBody")
        if label_forms:  # a checkbox is named by the step its list item asks for
            step = " ".join(body.all_text().split())
            assert step.startswith(" ".join(str(label_forms[0].annotations[0]["/TU"]).split()))


def test_a_form_filled_and_saved_keeps_its_values_and_stays_valid(checklists, tmp_path):
    """What a viewer does when a patient ticks two boxes, types a name and saves."""
    names = {str(w["/T"]) for w in _widgets(checklists["large-print"])}
    assert {"checkbox-1", "checkbox-2", "drivers-name-and-phone"} <= names
    filled = fill_form(checklists["large-print"], {"checkbox-1": "/Yes", "checkbox-2": "/Yes",
                                                   "drivers-name-and-phone": "Rita Vale 555-0188"},
                       tmp_path / "filled.pdf")

    values = {name: field.get("/V") for name, field in PdfReader(str(filled)).get_fields().items()}
    assert values["checkbox-1"] == values["checkbox-2"] == "/Yes" and values["checkbox-3"] == "/Off"
    assert values["drivers-name-and-phone"] == "Rita Vale 555-0188"
    assert conformance_failures(filled) == []
    typed = next(w for w in _widgets(filled.read_bytes()) if w["/T"] == "drivers-name-and-phone")
    assert " Tj" in typed["/AP"]["/N"].get_data().decode()  # drawn, in the embedded face (two-byte codes)
    font = typed["/AP"]["/N"]["/Resources"]["/Font"]["/HandoutsForm"]
    assert font["/Subtype"] == "/Type0" and font["/DescendantFonts"][0]["/FontDescriptor"].get("/FontFile2")


def test_print_only_has_no_fields(project):
    pdf = render(project, "infusion-day-checklist", "large-print", forms=False)
    assert _widgets(pdf) == [] and "/AcroForm" not in reader(pdf).trailer["/Root"]
    assert conformance_failures(pdf) == []


def test_no_two_fields_share_a_name_or_what_a_screen_reader_says(make_project):
    from conftest import render as render_doc

    body = ("---\ntitle: Twice\nkind: checklist\n---\n## Steps\n\n- [ ] Rest.\n- [ ] Rest.\n- [ ] Rest (2)\n\n"
            "Question: ___\n\nQuestion: ___\n\nQuestion 1: ___\n")
    pdf = render_doc(make_project(twice=body), "twice", "large-print")
    widgets = _widgets(pdf)
    names = [str(w["/T"]) for w in widgets]
    said = [str(w["/TU"]) for w in widgets]
    assert len(widgets) == 6
    assert len(set(names)) == len(names) and len(set(said)) == len(said), (names, said)
    assert said[:3] == ["Rest.", "Rest. (2)", "Rest (2)"] and said[3:6] == ["Question 1", "Question 2",
                                                                             "Question 1 (2)"]


def test_the_form_font_holds_latin_letters_and_punctuation_the_text_never_uses(checklists):
    """What a patient may type (José, Peña, ¿, Ñ, “ ”, ĉ ŋ ŵ) is in the form font, whatever the document's own text."""
    import re

    form = reader(checklists["standard"]).trailer["/Root"]["/AcroForm"]
    font = form["/DR"]["/Font"]["/HandoutsForm"]
    assert font["/Subtype"] == "/Type0" and font["/Encoding"] == "/Identity-H"
    assert str(font["/BaseFont"]).endswith("+HandoutsForm-Regular")
    assert font["/DescendantFonts"][0]["/FontDescriptor"].get("/FontFile2")  # embedded
    cmap = font["/ToUnicode"].get_data().decode("ascii")
    mapped = {chr(int(code, 16)) for code in re.findall(r"<[0-9A-F]{4}> <([0-9A-F]{4})>", cmap)}
    latin = {*map(chr, range(0x20, 0x7F)), *map(chr, range(0xA1, 0x100)), *"¿¡«»–—‘’“”…"} - {"\xad"}
    assert latin <= mapped and "\x00" not in mapped  # ASCII, Latin-1 Supplement, punctuation: all of it
    # All of Latin Extended-A, the 44 letters Atkinson Hyperlegible lacks (ĉ ŋ ŵ ŷ …) drawn from Noto Sans
    assert {chr(c) for c in range(0x100, 0x180)} <= mapped
    assert "✓" in mapped  # the caption a viewer draws in a check box it makes its own appearance for
    assert all(str(w["/DA"]).startswith("/HandoutsForm ") for w in _widgets(checklists["standard"])
               )  # every /DA names the font /DR holds


def test_the_shipped_form_font_is_what_its_tool_builds():
    """handouts/fonts/HandoutsForm-Regular.ttf is tools/build_form_font.py's output (when fontTools is here)."""
    import subprocess
    import sys

    from conftest import REPO

    pytest.importorskip("fontTools", reason="pip install -e '.[fonts]' to rebuild the form font")
    result = subprocess.run([sys.executable, str(REPO / "tools" / "build_form_font.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _in_language(project, layout: str, language: str | None, forms: bool = True) -> bytes:
    from dataclasses import replace

    from handouts.pipeline import render_document

    chosen = project.layouts.load(layout)
    return bytes(render_document(project, "infusion-day-checklist", chosen if forms else replace(chosen, forms=False),
                                 language=language))


LINE_FACTOR, BORDER = 1.35, 2  # pdf.js's annotation layer: a text field's font size is at most (height - 2) / 1.35


@pytest.mark.parametrize("language", [None, "es"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_text_fields_are_tall_and_wide_enough_to_keep_the_type_size(project, layout, language):
    """pdf.js shows a field's typing at the /DA size only in a line at least 1.35 × that tall (else it shrinks it),
    and a one-line field clips what is wider: each field is at least 1.4 × the type size a line, plus 2 pt, and
    holds its answer: a 40-character driver's name and phone (a long answer, "______"), on two lines where one is
    too narrow; a time written out in full (a short answer, "___")."""
    from handouts.render.boxes import SHORT_ANSWER_SAMPLE, WRITE_IN_SAMPLE
    from handouts.render.fonts import FontSet, width

    chosen = project.layouts.load(layout)
    size = chosen.body_size
    face = FontSet(chosen.typeface).face_for("M", False)
    long, short = width(WRITE_IN_SAMPLE, face, size), width(SHORT_ANSWER_SAMPLE, face, size)
    lines = [w for w in _widgets(_in_language(project, layout, language)) if w["/FT"] == "/Tx"]
    assert len(lines) >= 3
    assert any(words in str(line["/TU"]) for line in lines for words in ("Driver's name", "Nombre y teléfono"))
    for line in lines:
        x0, y0, x1, y1 = (float(v) for v in line["/Rect"])
        rows = 2 if int(line.get("/Ff", 0)) & (1 << 12) else 1
        assert y1 - y0 >= rows * 1.4 * size + 2 - 0.01
        # what pdf.js's annotation layer computes (_setTextStyle): the layout's size, not less
        per_line = (y1 - y0 - BORDER) / (round((y1 - y0 - BORDER) / (LINE_FACTOR * size)) if rows > 1 else 1)
        assert round(10 * per_line / LINE_FACTOR) / 10 >= size
        driver = any(words in str(line["/TU"]) for words in ("Driver's name", "Nombre y teléfono"))
        assert rows * (x1 - x0 - 4) >= (long if driver else short)
    if layout == "extra-large":  # a 24 pt line under an indented step holds less: two lines, one field
        assert any(int(line.get("/Ff", 0)) & (1 << 12) for line in lines)


def test_check_boxes_say_how_to_draw_them_for_viewers_that_make_their_own(checklists):
    """/MK: the border's colour and a tick caption in the embedded form font (never ZapfDingbats); /BS its width."""
    boxes = [w for w in _widgets(checklists["large-print"]) if w["/FT"] == "/Btn"]
    for box in boxes:
        assert [float(v) for v in box["/MK"]["/BC"]] == [0, 0, 0]  # the layout's text colour
        assert str(box["/MK"]["/CA"]) == "✓"
        assert float(box["/BS"]["/W"]) >= 1.5 and box["/BS"]["/S"] == "/S"
        assert str(box["/DA"]).startswith("/HandoutsForm 0 Tf")  # the caption's font: embedded, fitted to the box


@pytest.mark.parametrize("language", [None, "es"])
def test_each_form_element_says_what_its_field_says(project, language):
    """/Alt on each Form element = its widget's /TU: pdf.js names a field by its element's /Alt."""
    pdf = _in_language(project, "standard", language)
    forms = struct_tree(reader(pdf)).find("Form")
    assert len(forms) == len(_widgets(pdf)) >= 7
    for form in forms:
        (widget,) = form.annotations
        assert form.alt == str(widget["/TU"]) and form.alt.strip()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_printed_lines_to_write_on_lie_under_the_fields(project, tmp_path, layout):
    """Print-only (--no-forms) draws the same pages, with a line to write on across every field's place (two across
    a two-line field), as poppler draws them."""
    from viewers import dark, poppler_pages

    fillable, printed = _in_language(project, layout, None), _in_language(project, layout, None, forms=False)
    assert len(reader(fillable).pages) == len(reader(printed).pages)
    path = tmp_path / "printed.pdf"
    path.write_bytes(printed)
    images = poppler_pages(path)
    for number, page in enumerate(reader(fillable).pages):
        height = float(page.mediabox.top)
        for widget in (a.get_object() for a in page.get("/Annots", [])):
            if widget.get("/FT") != "/Tx":
                continue
            x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
            rows = 2 if int(widget.get("/Ff", 0)) & (1 << 12) else 1
            ruled = [y0 + (y1 - y0) * i / 100 for i in range(101)
                     if all(dark(images[number], height, [(x0 + (x1 - x0) * j / 20, y0 + (y1 - y0) * i / 100)
                                                         for j in range(1, 20)]))]
            lines = [y for y, before in zip(ruled, [None, *ruled]) if before is None or y - before > 2]
            assert len(lines) == rows, (layout, number, widget["/T"], ruled)


def test_a_field_counted_but_not_made_says_what_the_made_one_says():
    """A page written from a kept file makes no fields (render/assembly.py), only what they say: the same words,
    told apart the same way, for the fields after them too."""
    from reportlab.pdfgen.canvas import Canvas

    from handouts.render.forms import FormFields

    made, counted = FormFields(Canvas(None), "Helvetica"), FormFields(Canvas(None), "Helvetica")
    fields = [("checkbox", ((0, 0, 9, 9), 8, 1, "#000000", "Yes", False)),
              ("text_field", ((0, 0, 90, 9), "Driver's name", 12, "#000000", False)),
              ("checkbox", ((0, 0, 9, 9), 8, 1, "#000000", "Yes", True)),
              ("text_field", ((0, 0, 90, 9), "Driver's name", 12, "#000000", True)),
              ("text_field", ((0, 0, 90, 9), "", 12, "#000000", False))]
    said = [(made.checkbox if kind == "checkbox" else made.text_field)(*args)[1] for kind, args in fields]
    assert said == [counted.spoken(kind, args) for kind, args in fields]
    assert said[2] == "Yes (2)" and said[3] == "Driver's name (2)"
    assert made._names == counted._names  # the next field's name follows either
