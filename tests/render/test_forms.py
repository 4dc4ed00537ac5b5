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
    """What a patient may type (José, Peña, ¿, Ñ, “ ”) is in the form font, whatever the document's own text."""
    import re

    form = reader(checklists["standard"]).trailer["/Root"]["/AcroForm"]
    font = form["/DR"]["/Font"]["/HandoutsForm"]
    assert font["/Subtype"] == "/Type0" and font["/Encoding"] == "/Identity-H"
    assert font["/DescendantFonts"][0]["/FontDescriptor"].get("/FontFile2")  # embedded
    cmap = font["/ToUnicode"].get_data().decode("ascii")
    mapped = {chr(int(code, 16)) for code in re.findall(r"<[0-9A-F]{4}> <([0-9A-F]{4})>", cmap)}
    latin = {*map(chr, range(0x20, 0x7F)), *map(chr, range(0xA1, 0x100)), *"¿¡«»–—‘’“”…"} - {"\xad"}
    assert latin <= mapped and "\x00" not in mapped  # ASCII, Latin-1 Supplement, punctuation: all of it
    # Latin Extended-A: every letter the body face draws (Atkinson Hyperlegible lacks 44, such as ŵ ŷ ĉ ŋ)
    extended = {chr(c) for c in range(0x100, 0x180)}
    assert len(extended & mapped) >= 84 and {*"ĀāČčĐđĒēĞğĪīıŁłŃńŅņŇňŐőŒœŘřŚśŞşŠšŢţŤťŮůŰűŸŹźŻżŽž"} <= mapped
    assert all(str(w["/DA"]).startswith("/HandoutsForm ") for w in _widgets(checklists["standard"])
               if w["/FT"] == "/Tx")  # every /DA names the font /DR holds
