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


def test_blocks_built_once_for_a_text_hold_tokens_and_each_fill_gets_its_own_copy():
    """Every fill of the same template text shares the blocks built from its tokens (text/markdown.py `_BUILT`):
    what is kept holds no patient's value, and one patient's document is never another's objects."""
    from handouts.model import walk
    from handouts.text import markdown

    source = Source("doc", Path("doc.md"), "T", "handout", "en-US", None,
                    "Hello **{{ name }}**.\n\n- [ ] Call {{ name }} back\n  - Ask: ___\n\n> Tell {{ name }}.\n",
                    body_line=4)
    markdown._BUILT.clear()
    first = parse_document(source, fill(source, {"name": PatientValue("Ana Pérez", "Nnnnnnnnnn")}))
    second = parse_document(source, fill(source, {"name": PatientValue("Бо Ли", "Nnnnnnnnnn")}))
    assert len(markdown._BUILT) == 1  # the second fill was built from the first one's blocks
    kept = repr(markdown._BUILT)
    assert "Ana" not in kept and "Бо" not in kept
    texts = [" ".join(span.text for node in walk(doc.blocks) for span in getattr(node, "spans", []))
             for doc in (first, second)]
    assert texts[0].count("Ana Pérez") == 3 and "Бо" not in texts[0]
    assert texts[1].count("Бо Ли") == 3 and "Ana" not in texts[1]
    def objects(doc):
        nodes = list(walk(doc.blocks))
        return {id(node) for node in nodes} | {id(node.spans) for node in nodes if hasattr(node, "spans")}

    assert not objects(first) & objects(second)
    # The copies are the documents a fresh build makes.
    markdown._BUILT.clear()
    assert parse_document(source, fill(source, {"name": PatientValue("Бо Ли", "Nnnnnnnnnn")})) == second


def test_model_nodes_are_dataclasses_a_copy_of_their_fields_remakes():
    """`markdown._restored` copies a node by its fields (what `dataclasses.replace` would make, faster): that holds
    while no node class runs code of its own on init, keeps slots or has fields its init does not take."""
    import dataclasses
    import inspect

    from handouts import model

    classes = [cls for _, cls in inspect.getmembers(model, inspect.isclass)
               if dataclasses.is_dataclass(cls) and cls.__module__ == model.__name__]
    assert len(classes) >= 10
    for cls in classes:
        assert not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__"), cls.__name__
        assert all(f.init for f in dataclasses.fields(cls)), cls.__name__
