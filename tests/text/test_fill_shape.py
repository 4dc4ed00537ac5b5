"""The patient-free part of a fill, kept (`fill.FillShape`): a template that only prints a patient value whole or
tests it bare is filled once for every patient whose values are present or empty alike, and each fill puts its own
values at their tokens. What is kept holds no patient's value; what a fill makes from it is what Jinja2 makes."""

from pathlib import Path

import pytest
from hostile_roster import ROWS

from handouts.errors import ContentError
from handouts.load.content import Source
from handouts.text import fill as fill_module
from handouts.text.fill import MAX_OUTPUT, PatientValue, fill
from handouts.text.markdown import parse_document

RESERVE, WHEN = "Nnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "Wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww"
HOSTILE = ["{{ clinic.name }}", "**bold** <b>x</b>", "\ue000 0\ue001", "[x](https://evil.example)", "", "\u200b",
           "- [ ] list", "___"]
NAMES = [(name, preferred) for name, preferred, *_ in ROWS] + [(value, value) for value in HOSTILE]

# Bodies that only print a patient value whole or test it bare: kept.
SHOWN = [
    "Prepared for **{{ patient.name }}**.\n\n**When:** {{ appointment }}\n",
    "{% if patient %}{{ patient.preferred_name }}, use{% else %}Use{% endif %} this list.\n\n"
    "- [ ] Call {{ clinic.name }}\n  - Ask {{ patient.name }}: ___\n\n> Tell {{ patient.preferred_name }}.\n",
    "{% if appointment %}Your appointment: **{{ appointment }}**{% else %}Date: ___{% endif %}\n\n"
    "{% for d in documents %}- [{{ d.title }}](#{{ d.anchor }}) for {{ patient.name }}\n{% endfor %}",
    "{% if earlier_appointment %}Not {{ earlier_appointment }}.{% endif %} Hi {{ patient.name }}{{ appointment }}\n",
]
# Bodies that do anything else with one: filled by Jinja2 every time.
OTHERWISE = [
    "{{ patient.name | upper }}\n",
    "{% if patient.name|length > 10 %}Long {{ patient.name }}{% else %}Short{% endif %}\n",
    "{% if patient.name == 'Ana Quorvex' %}Ana{% endif %} {{ patient.name }}\n",
    "{% set who = patient.name %}{{ who }}\n",
    "{% for letter in patient.preferred_name %}{{ letter }}.{% endfor %}\n",
    "{{ patient.name ~ '!' }}\n",
    "{{ 'x' if appointment else 'y' }} {{ appointment }}\n",
    "{{ patient['name'] }}\n",
    "{% with patient = clinic %}{{ patient.name }}{% endwith %}\n",
    "{% if not appointment %}none{% endif %}{{ patient.name }}\n",
    "{{ patient.items }}\n",
    "{{ patient }}\n",
]


def _source(body: str) -> Source:
    return Source("doc", Path("doc.md"), "T", "handout", "en-US", None, body, body_line=4)


def _context(name: str, preferred: str, appointment: str | None = "Thursday, December 3, 2026, at 9:30 AM") -> dict:
    return {"clinic": {"name": "Clinic {{ x }}", "phone": "(512) 555-0142"},
            "patient": {"name": PatientValue(name, RESERVE), "preferred_name": PatientValue(preferred, RESERVE[:15])},
            "appointment": None if appointment is None else PatientValue(appointment, WHEN),
            "earlier_appointment": None,
            "documents": [{"title": "Checklist", "anchor": "checklist"}]}


def _fresh(source: Source, context: dict, monkeypatch):
    """What Jinja2 makes, nothing kept: the fill and the document."""
    with monkeypatch.context() as patch:
        patch.setattr(fill_module, "_patient_free_context", lambda context: None)
        filled = fill(source, context)
        return filled, parse_document(source, filled)


def _same(made, fresh) -> None:
    (filled, document), (filled_fresh, document_fresh) = made, fresh
    assert (filled.text, filled.values, filled.reserves) == (filled_fresh.text, filled_fresh.values,
                                                             filled_fresh.reserves)
    assert document == document_fresh


@pytest.mark.parametrize("body", SHOWN)
def test_a_kept_fill_is_what_jinja_makes_for_every_row(body, monkeypatch):
    source = _source(body)
    fill_module._SHAPES.clear()
    for name, preferred in NAMES:
        for appointment in ("Thursday, December 3, 2026, at 9:30 AM", None, "jueves, 3 de diciembre de 2026"):
            context = _context(name, preferred, appointment)
            try:
                fresh = _fresh(source, context, monkeypatch)
            except ContentError as exc:  # a placeholder with no value: said the same way
                with pytest.raises(ContentError) as raised:
                    fill(source, context)
                assert raised.value.finding == exc.finding
                continue
            filled = fill(source, context)
            made = (filled, parse_document(source, filled))
            _same(made, fresh)
            assert fill(source, context).shape is filled.shape is not None  # found again: kept
    assert fill_module._SHAPES


@pytest.mark.parametrize("body", OTHERWISE)
def test_a_template_that_does_more_with_a_value_is_filled_by_jinja_every_time(body, monkeypatch):
    source = _source(body)
    fill_module._SHAPES.clear()
    for name, preferred in NAMES:
        context = _context(name, preferred)
        try:
            fresh = _fresh(source, context, monkeypatch)
        except ContentError as exc:
            with pytest.raises(ContentError) as raised:
                fill(source, context)
            assert raised.value.finding == exc.finding
            continue
        filled = fill(source, context)
        assert filled.shape is None
        _same((filled, parse_document(source, filled)), fresh)
    assert not fill_module._SHAPES


def test_a_values_length_still_decides_what_prints():
    source = _source("{% if patient.name|length > 10 %}Long{% else %}Short{% endif %} {{ patient.name }}\n")
    fill_module._SHAPES.clear()
    for name, shown in (("Al Bo", "Short"), ("Maximiliana Dorfelkovna", "Long"), ("Ann Alpha", "Short")):
        filled = fill(source, _context(name, name))
        assert filled.restore(filled.text) == f"{shown} {name}\n"


def test_nothing_kept_holds_any_rows_value(project):
    """Over the hostile roster, packets made as a worker makes them: the kept shapes and what is kept with them
    (the parse's shared blocks, the skeleton's digests) hold no row's name or preferred name."""
    from datetime import datetime

    from handouts.caches import one_patient
    from handouts.load.project import Patient
    from handouts.pipeline import packet_document

    fill_module._SHAPES.clear()
    for number, (name, preferred, _, language, documents) in enumerate(ROWS):
        with one_patient():
            packet_document(project, Patient.from_values(name, preferred), datetime(2026, 12, 3, 9, 30),
                            documents, language)
    kept = fill_module._SHAPES
    assert kept and all(shape.derived for shape in kept.values())
    shown = repr([(key, shape, [(where, vars(made) if hasattr(made, "__dict__") else made)
                                for where, made in shape.derived.items()]) for key, shape in kept.items()])
    for name, preferred, *_ in ROWS:
        for value in (name, preferred):
            if value:
                assert value not in shown, value


def test_errors_are_what_jinja_says():
    """A placeholder with no value, and a value past MAX_OUTPUT after a shape was kept with a short one."""
    fill_module._SHAPES.clear()
    source = _source("Hi {{ patient.name }} {{ appointment }}\n")
    fill(source, _context("Ann Alpha", "Ann"))
    with pytest.raises(ContentError) as raised:
        fill(source, _context("Ann Alpha", "Ann", None))
    assert raised.value.finding.rule == "placeholder-empty"
    with pytest.raises(ContentError) as raised:
        fill(source, _context("A" * (MAX_OUTPUT + 1), "Ann"))
    assert raised.value.finding.rule == "template-too-big" and "placeholders hold more" in raised.value.finding.message


def test_each_fill_gets_a_document_of_its_own_made_from_blocks_restored_once():
    """The blocks that hold no patient token are restored once a shape and cloned for each fill: no node or list
    of one fill's document is another's, so changing one (as a test may) changes no other, nor what is kept."""
    from dataclasses import replace

    from handouts.model import walk

    source = _source("Hello **{{ patient.name }}**.\n\n- [ ] Call [{{ clinic.name }}](tel:1) back\n  - Ask: ___\n\n"
                     "> Tell {{ patient.preferred_name }}.\n")
    fill_module._SHAPES.clear()
    parse_document(source, fill(source, _context("Eve Quorvel", "Eve")))  # the first parse keeps the blocks
    first = parse_document(source, fill(source, _context("Ana Pérez", "Ana")))
    second = parse_document(source, fill(source, _context("Бо Ли", "Бо")))

    def objects(doc):
        nodes = list(walk(doc.blocks))
        return {id(node) for node in nodes} | {id(value) for node in nodes for value in vars(node).values()
                                                if isinstance(value, list)}

    assert not objects(first) & objects(second)
    listed = first.blocks[2].items[0]
    listed.spans[1] = replace(listed.spans[1], href="tel:2")  # a change to one fill's document
    third = parse_document(source, fill(source, _context("Cy Dee", "Cy")))
    assert third.blocks[2] == second.blocks[2] != first.blocks[2]  # no other fill's, before or after
    assert "Ana" not in repr(third) and "Бо" not in repr(third)



# Every per-process cache of handouts/text/, pipeline.py and of the load modules a packet's fill reads on every
# patient (languages.py), and why it can hold no value of another patient's (the
# render's are in tests/render/test_caches.py). A cache that is not listed fails the test below: review it, then list
# it here. Caches kept in a module-level dict or set are listed by name and checked to exist.
REVIEWED = {
    "fill._template": "compiled templates, keyed by the body: clinic content",
    "fill._reserved_at": "where a body holds a token's character, keyed by the body",
    "fill._patient_uses": "how a body uses each name it loads (the parse tree's shape), keyed by the body",
    "fill._plain_dict": "whether a dict class adds anything a template can reach, keyed by the class",
    "fill._SHAPES": "fills without their patient's values (FillShape: the text with tokens, every other value, the "
                    "reserves, where each patient value goes), keyed by the body and the context's patient-free part "
                    "(each patient value as whether it is None, empty, empty once cleaned, and its reserve); with "
                    "each, what is made of it and a source alone: the parse's blocks that hold no patient token "
                    "(restored) and the built blocks (tokens), and the skeleton's digests",
    "markdown.markdown_tokens": "markdown-it tokens, keyed by the filled text (tokens, not values)",
    "markdown._text_problems": "findings and link targets with tokens, keyed by the path and the filled text",
    "markdown._BUILT": "blocks built from tokens, keyed by the filled text and where the body starts",
    "markdown._CLONERS": "how a node of a model class is cloned, keyed by the class (no node, no text)",
    "hyphenation._read": "a language's hyphenation dictionary as parsed from pyphen's file, keyed by the language",
    "hyphenation._given": "a language's hyphenation dictionary prepared by an earlier lint (the same file's "
                          "patterns), keyed by the language",
    "hyphenation._dictionaries": "where the hyphenation dictionaries are, no key",
    "readability._alpha_syllables": "syllables of a word, keyed by the word: lint and editorial read clinic content",
    "readability._spanish_alpha": "syllables of a Spanish word, keyed by the word: lint reads clinic content",
    "template_cache._salt": "a digest of fill.py, no key",
    "pipeline._source_key": "digests of a source, keyed by the source: clinic content",
    "pipeline._longest_appointment": "the longest appointment in words, keyed by the language",
    "pipeline._in_words": "the patient's appointment in words; emptied after each patient",
    "languages._names": "what people write for a language (its names, from Babel), keyed by the tag",
    "languages._formats": "Babel's locale and the date and time patterns, parsed, keyed by the tag and the locale "
                          "file's patterns (how an appointment is written, never one)",
    "pipeline._CHECKED": "(skeleton digest, typeface) of documents whose text without a patient value the typeface "
                         "draws, with every '#' link to a document of theirs: a digest and a name, no text",
}
NAMED = {"fill._SHAPES", "markdown._BUILT", "markdown._CLONERS", "pipeline._CHECKED", "hyphenation._read",
         "hyphenation._given"}


def test_every_cache_in_text_and_the_pipeline_is_reviewed():
    import functools
    import importlib
    import pkgutil

    import handouts.text
    from handouts import pipeline
    from handouts.load import languages

    modules = [(info.name, importlib.import_module(f"handouts.text.{info.name}"))
               for info in pkgutil.iter_modules(handouts.text.__path__)] + [("pipeline", pipeline),
                                                                           ("languages", languages)]
    found = {f"{short}.{name}" for short, module in modules for name, value in vars(module).items()
             if isinstance(value, functools._lru_cache_wrapper) and value.__module__.startswith("handouts.")}
    named = {where for where in NAMED if hasattr(dict(modules)[where.split(".")[0]], where.split(".")[1])}
    gone = set(REVIEWED) - found - named
    assert found | named == set(REVIEWED), f"caches not reviewed: {sorted(found - set(REVIEWED))}; gone: {sorted(gone)}"


def test_rendering_changes_no_shared_block(project):
    """Blocks shared by every fill of a shape are never changed by laying out and drawing a packet."""
    from datetime import datetime

    from handouts.caches import one_patient
    from handouts.load.project import Patient
    from handouts.pipeline import packet_document, render_checked

    fill_module._SHAPES.clear()
    packets = []
    for name in ("Ann Alpha", "Bob Omega", "Дмитрий Жуковский"):
        with one_patient():
            packets.append(packet_document(project, Patient.from_values(name), datetime(2026, 12, 3, 9, 30),
                                           ("infusion-day-checklist", "fibromyalgia-ketamine")))
    shared = [made for shape in fill_module._SHAPES.values() for where, made in shape.derived.items()
              if where[0] == "parse"]
    assert shared
    before = repr([list(made.free.values()) for made in shared])
    for layout in ("standard", "large-print", "extra-large"):
        for packet in packets:
            render_checked(project, packet, project.layouts.load(layout), "packet")
    assert repr([list(made.free.values()) for made in shared]) == before


def test_a_patient_value_no_face_draws_is_refused_after_its_skeleton_was_checked(project):
    from datetime import datetime

    from handouts.caches import one_patient
    from handouts.errors import UnsupportedCharacterError
    from handouts.load.project import Patient
    from handouts.pipeline import packet_document, render_checked

    layout = project.layouts.load("standard")
    for name in ("Ann Alpha", "Ann \U00012000lpha", "Bea Beta"):  # cuneiform: no face draws it
        with one_patient():
            packet = packet_document(project, Patient.from_values(name), datetime(2026, 12, 3, 9, 30),
                                     ("infusion-day-checklist",))
            if "\U00012000" in name:
                with pytest.raises(UnsupportedCharacterError):
                    render_checked(project, packet, layout, "packet")
            else:
                assert render_checked(project, packet, layout, "packet")
