"""A patient's values are marked when they are filled (PatientValue): the text that shows one knows it, and the
reserve laid out in its place, from its tokens, never from a search of the text."""

from pathlib import Path

from handouts.load.content import Source
from handouts.text.fill import PatientValue, fill
from handouts.text.markdown import parse_document


def test_the_text_that_shows_a_patient_value_is_known_from_its_token():
    source = Source("doc", Path("doc.md"), "T", "handout", "en-US", None,
                    "Hello {{ name }}, from {{ clinic }}. {{ name | upper }}\n", body_line=4)
    filled = fill(source, {"name": PatientValue("Al", "Nnnnnn"), "clinic": "Clinic Al"})
    text = filled.text.split(".")[0]
    assert filled.restore(text) == "Hello Al, from Clinic Al"
    assert filled.reserved(text) == "Hello Nnnnnn, from Clinic Al"  # "Al" in the clinic's name is not the patient's
    assert filled.reserved(filled.text.split(".")[1]) is None  # a value a template changed is no longer marked
    spans = [span for block in parse_document(source, filled).blocks for span in getattr(block, "spans", [])]
    assert [span.reserve for span in spans if "Hello" in span.text] == ["Hello Nnnnnn, from Clinic Al. AL"]
