"""The structure tree mirrors the content, and the validator passes every PDF."""

import pytest
from conftest import APPOINTMENT, LAYOUTS, PATIENT, render
from outline import compare, expected_tree
from pdfread import conformance_failures, normalized, reader, struct_tree

from handouts.pipeline import load_document


@pytest.mark.parametrize("forms", [True, False], ids=["forms", "printed"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_structure_tree_mirrors_the_content(sample_project, layout, forms):
    tree = struct_tree(reader(render(sample_project, "sample", layout, forms=forms)))
    assert tree.role == "Document"
    compare(tree, expected_tree(load_document(sample_project, "sample").blocks, forms))


def test_checkboxes_are_fields_inside_their_labels(sample_project):
    pdf = reader(render(sample_project, "sample"))
    labels = struct_tree(pdf).find("Lbl")
    assert [normalized(label.text) for label in labels[:5]] == ["•", "•", "•", "•", "1."]
    boxes = [form.annotations[0] for label in labels for form in label.find("Form")]
    assert [str(b["/TU"]) for b in boxes] == ["Arrange a ride home", "Read this sheet", "Driver's name:"]
    assert [b["/FT"] for b in boxes] == ["/Btn"] * 3
    assert [b["/AS"] for b in boxes] == ["/Off", "/Yes", "/Off"]  # "- [x]" comes ticked
    assert all(set(b["/AP"]["/N"]) == {"/Yes", "/Off"} for b in boxes)  # both appearances: prints as shown
    assert not any(label.text or label.alt for label in labels if label.find("Form"))  # the field is all it holds


def test_printed_checkboxes_are_figures_a_screen_reader_names(sample_project):
    labels = struct_tree(reader(render(sample_project, "sample", forms=False))).find("Lbl")
    figures = [figure for label in labels for figure in label.find("Figure")]
    assert [f.alt for f in figures] == ["check box, not ticked", "check box, ticked", "check box, not ticked"]
    assert all(f.mcids for f in figures)  # the drawn square is the figure's content


def test_links_are_tagged_with_their_annotations(sample_project):
    pdf = reader(render(sample_project, "sample"))
    links = struct_tree(pdf).find("Link")
    assert [normalized(link.text) for link in links] == ["web link", "(512) 555-0100"]
    assert all(link.links >= 1 for link in links)
    annotations = [a.get_object() for p in pdf.pages for a in p.get("/Annots", [])]
    link_annotations = [a for a in annotations if a["/Subtype"] == "/Link"]
    assert {str(a["/A"]["/URI"]) for a in link_annotations} == {"https://clinic.example/info", "tel:+15125550100"}
    assert all("/StructParent" in a and a["/Contents"] for a in link_annotations)
    assert all("/StructParent" in a for a in annotations)
    for p in pdf.pages:
        if "/Annots" in p:
            assert p["/Tabs"] == "/S"


def test_a_block_split_across_pages_is_one_element(make_project):
    sentence = "This long paragraph goes on and on so that it has to break across two pages. "
    body = "\n\n".join(["Opening paragraph."] * 6) + "\n\n" + sentence * 30 + "\n"
    pdf = reader(render(make_project(doc=f"---\ntitle: Split\n---\n{body}"), "doc", "extra-large"))
    paragraphs = struct_tree(pdf).find("P")
    assert len(paragraphs) == 7
    long = paragraphs[-1]
    assert len({page for page, _ in long.mcids}) >= 2
    assert normalized(long.all_text()) == normalized(sentence * 30)


def test_page_numbers_and_rules_are_artifacts(sample_project):
    pdf = reader(render(sample_project, "sample"))
    assert "Page 1 of" in pdf.pages[0].extract_text()
    tree = struct_tree(pdf)
    assert "First section" in tree.all_text() and "Page 1 of" not in tree.all_text()


def test_catalog_metadata_and_language(sample_project):
    pdf = reader(render(sample_project, "sample"))
    root = pdf.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert root["/Lang"] == "en-US"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp and "Sample handout for tests" in xmp
    assert pdf.metadata.title == "Sample handout for tests"
    outline = [item.title for item in pdf.outline if not isinstance(item, list)]
    assert outline == ["Sample handout for tests"]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("personal", [False, True])
def test_validator_passes_with_zero_failures(sample_project, tmp_path, layout, personal):
    kw = dict(patient=PATIENT, appointment=APPOINTMENT) if personal else {}
    assert conformance_failures(render(sample_project, "sample", layout, **kw)) == []


def test_two_links_to_one_address_are_two_link_elements(make_project):
    doc = "---\ntitle: T\n---\nCall [us](tel:+15125550100) or [the desk](tel:+15125550100) today.\n"
    pdf = reader(render(make_project(doc=doc), "doc"))
    links = struct_tree(pdf).find("Link")
    assert [normalized(link.text) for link in links] == ["us", "the desk"]
    contents = [str(a.get_object()["/Contents"]) for p in pdf.pages for a in p.get("/Annots", [])]
    assert contents == ["us", "the desk"]


def test_lists_say_how_they_are_numbered(make_project):
    import io

    from pypdf import PdfReader

    doc = "---\ntitle: Lists\n---\n1. first\n2. second\n\n- a\n- b\n\nText.\n\n- [ ] tick\n"
    pdf = render(make_project(doc=doc), "doc")
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"]["/K"].get_object()
    numbering = [kid.get_object()["/A"]["/ListNumbering"] for kid in root["/K"]
                 if kid.get_object().get("/S") == "/L"]
    assert numbering == ["/Decimal", "/Disc", "/None"]
    assert conformance_failures(pdf) == []


@pytest.mark.parametrize("language, said", [("en-US", "blank line to write: Driver's name"),
                                            ("es-US", "línea en blanco para escribir: Driver's name")])
def test_printed_lines_to_write_on_are_announced_not_hidden(make_project, language, said):
    pdf = render(make_project(doc=f"---\ntitle: Form\nlanguage: {language}\n---\nDriver's name: ___\n"), "doc",
                 forms=False)
    paragraph = struct_tree(reader(pdf)).find("P")[0]
    assert [span.actual_text for span in paragraph.find("Span")] == [said]
    assert conformance_failures(pdf) == []


def test_lines_to_write_on_are_text_fields_named_by_their_words(make_project):
    doc = "---\ntitle: Form\n---\nDriver's name: ___\n\nQuestion: ___\n\nQuestion: ___\n"
    pdf = render(make_project(doc=doc), "doc", "standard")
    fields = [form.annotations[0] for form in struct_tree(reader(pdf)).find("Form")]
    assert [str(f["/TU"]) for f in fields] == ["Driver's name", "Question 1", "Question 2"]
    assert [str(f["/T"]) for f in fields] == ["drivers-name", "question-1", "question-2"]
    assert {f["/FT"] for f in fields} == {"/Tx"}
    assert all(str(f["/DA"]).startswith("/HandoutsForm 14 Tf") for f in fields)  # typed at the body's size
    assert conformance_failures(pdf) == []


def test_xmp_escapes_markup_in_its_values():
    """The XMP packet is XML: a title holding &, < or > is written as text, and parses back as it was."""
    import xml.etree.ElementTree as ET
    from datetime import datetime, timezone

    from handouts.render.metadata import xmp_packet

    title = 'Tom & Jerry <b>"infusion"</b> > 2'
    packet = xmp_packet(title=title, subject="s & t", author="A <B>", language="en",
                        created=datetime(2026, 12, 5, tzinfo=timezone.utc))
    body = packet.decode("utf-8").split("?>", 1)[1].rsplit("<?xpacket", 1)[0]
    texts = [element.text for element in ET.fromstring(body).iter() if element.text and element.text.strip()]
    assert title in texts and "s & t" in texts and "A <B>" in texts
