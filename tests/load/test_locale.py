"""The program's own words, one file per language (handouts/locales/): found by tag, checked, and enough to add a
language without touching the code."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from conftest import DATA, REPO, load_profile, raised
from pdfread import normalized, reader, struct_tree, text

from handouts.errors import LocaleError
from handouts.load.dates import in_words
from handouts.load.locale import ENVIRONMENT, SHIPPED, Locale, has_locale
from handouts.load.profile import sentences_digest
from handouts.load.project import Project
from handouts.model import Span
from handouts.quality.check import check_pdf
from handouts.quality.lint import lint_project
from handouts.quality.readback import Readback, read_back
from handouts.render.fonts import FontSet
from handouts.render.linebreak import break_lines

ENGLISH = (SHIPPED / "en.yaml").read_text(encoding="utf-8")

# French, as a clinic would add it: en.yaml with every value translated. Nothing else changes.
FRENCH = """labels:
  page: "Page {number} sur {count}"
  packet_title: "{title} pour {name} : {documents}"
  sample: "EXEMPLE — pas pour les patients"
spoken:
  checkbox: "case à cocher, non cochée"
  checkbox_ticked: "case à cocher, cochée"
  write_in: "ligne vide pour écrire"
  write_in_named: "ligne vide pour écrire : {name}"
appointment: "{date} à {time}"
keep_together:
  - '\\d{1,2}:\\d{2}'
  - '\\d{1,2} (?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \\d{4}'
  - '\\(\\d{3}\\) \\d{3}-\\d{4}'
readability:
  formula: flesch-kincaid
"""


@pytest.fixture
def french(tmp_path, monkeypatch) -> Path:
    """A folder holding fr.yaml, searched before the shipped one (as HANDOUTS_LOCALES makes it)."""
    folder = tmp_path / "locales"
    folder.mkdir()
    (folder / "fr.yaml").write_text(FRENCH, encoding="utf-8")
    monkeypatch.setenv(ENVIRONMENT, str(folder))
    return folder


# -- finding the words for a tag ------------------------------------------------------------------------------


@pytest.mark.parametrize("tag, code", [("en-US", "en"), ("en", "en"), ("es-US", "es"), ("es-MX", "es"),
                                       ("ES_us", "es"), ("fr-FR", "en"), (None, "en"), ("", "en"),
                                       ("../../etc/passwd", "en"), ("es\x00", "en")])
def test_a_tag_gets_its_languages_words_else_english(tag, code):
    assert Locale.for_tag(tag).code == code


def test_a_regional_file_comes_before_its_language(tmp_path, monkeypatch):
    folder = tmp_path / "locales"
    folder.mkdir()
    spanish = (SHIPPED / "es.yaml").read_text(encoding="utf-8")
    (folder / "es-mx.yaml").write_text(spanish.replace("MUESTRA", "EJEMPLO"), encoding="utf-8")
    monkeypatch.setenv(ENVIRONMENT, str(folder))
    assert Locale.for_tag("es-MX").labels["sample"].startswith("EJEMPLO")
    assert Locale.for_tag("es-US").labels["sample"].startswith("MUESTRA")


def test_the_shipped_words():
    english, spanish = Locale.for_tag("en-US"), Locale.for_tag("es-US")
    assert english.labels["page"] == "Page {number} of {count}"
    assert spanish.labels["page"] == "Página {number} de {count}"
    assert english.checkbox == ("check box, not ticked", "check box, ticked")
    assert spanish.write_in == ("línea en blanco para escribir", "línea en blanco para escribir: {name}")
    assert (english.formula, spanish.formula, spanish.min_ease) == ("flesch-kincaid", "fernandez-huerta", 70.0)


def test_a_range_of_numbers_in_each_languages_words(tmp_path):
    """"40-60" may be read aloud as "40 minus 60": each language says a range in words; a file without
    'number_range' gets an en dash, never a hyphen-minus."""
    assert Locale.for_tag("en-US").in_range(40, 60) == "40 to 60"
    assert Locale.for_tag("es-US").in_range(40, 60) == "de 40 a 60"
    (tmp_path / "en.yaml").write_text("\n".join(line for line in ENGLISH.splitlines()
                                                if not line.startswith("number_range:")), encoding="utf-8")
    assert Locale.for_tag("en-US", (tmp_path,)).in_range(40, 60) == "40\u201360"
    assert Locale.for_tag("en-US").keep_together.search("Infusion: 40 to 60 minutes")[0] == "40 to 60"
    assert Locale.for_tag("es-US").keep_together.search("Infusión: de 40 a 60 minutos")[0] == "de 40 a 60"


def test_the_page_label_pattern_follows_the_label():
    english, spanish = Locale.for_tag("en").page_number, Locale.for_tag("es").page_number
    assert english.match("Page 3 of 12") and english.match("  Page 3  of 12 ")
    assert spanish.match("Página 3 de 12") and not spanish.match("Page 3 of 12")
    assert not english.match("Page three of 12") and not english.match("Turn to Page 3 of 12 now")


# -- the locale file is checked, at its line ------------------------------------------------------------------


@pytest.mark.parametrize("extra, key", [
    ('date_format: "qqqqqqqq"\n', "date_format"),  # no such field length: not a CLDR pattern
    ("time_format: [1]\n", "time_format"),
    ('appointment_in_sentence: "{date}"\n', "appointment_in_sentence"),
    ('day_periods: {am: "a. m."}\n', "day_periods"),
    ('day_periods: {am: "a. m.", pm: "p. m."}\n', "day_periods"),  # with no time_format 'a' to fill
])
def test_the_appointment_patterns_are_checked(tmp_path, extra, key):
    (tmp_path / "en.yaml").write_text(ENGLISH + extra, encoding="utf-8")
    error = raised(Locale.for_tag, "en-US", (tmp_path,))
    assert isinstance(error, LocaleError) and error.finding.key == key and error.finding.hint


def test_a_locale_file_spells_the_date_and_the_day_periods(tmp_path):
    extra = ('appointment_in_sentence: "{date}, {time}"\ndate_format: "EEEE d MMMM y"\ntime_format: "h:mm a"\n'
             'day_periods: {am: "in the morning", pm: "in the afternoon"}\n')
    (tmp_path / "en.yaml").write_text(ENGLISH + extra, encoding="utf-8")
    words = Locale.for_tag("en-US", (tmp_path,))
    assert words.time_pattern(9) == "h:mm 'in the morning'" and words.time_pattern(15) == "h:mm 'in the afternoon'"
    assert words.date_format == "EEEE d MMMM y" and words.appointment_in_sentence == "{date}, {time}"


@pytest.mark.parametrize("old, new, key", [
    ('page: "Page {number} of {count}"', 'page: "Page {num} of {count}"', "labels.page"),
    ('sample: "SAMPLE — not for patients"', "sample: [a, b]", "labels.sample"),
    ('  write_in: "blank line to write on"\n', "", "spoken.write_in"),
    ("  formula: flesch-kincaid", "  formula: gunning-fog", "readability.formula"),
    ("  formula: flesch-kincaid", "  formula: fernandez-huerta", "readability.min_ease"),
    ("  - '\\(\\d{3}\\) \\d{3}-\\d{4}'", "  - '(unclosed'", "keep_together"),
    ("appointment: \"{date} at {time}\"", "appointment: \"{date}\"", "appointment"),
    ("readability:\n", "readablity: 1\nreadability:\n", "readablity"),
    ('number_range: "{low} to {high}"', 'number_range: "{low} to"', "number_range"),
])
def test_a_broken_locale_file_is_refused_naming_the_key(tmp_path, old, new, key):
    assert old in ENGLISH, old
    (tmp_path / "en.yaml").write_text(ENGLISH.replace(old, new), encoding="utf-8")
    error = raised(Locale.for_tag, "en-US", (tmp_path,))
    assert isinstance(error, LocaleError) and error.finding.key == key
    assert error.finding.source == str(tmp_path / "en.yaml") and error.finding.line and error.finding.hint


# -- adding a language is one file ------------------------------------------------------------------------------


def french_content(tmp_path) -> Path:
    """Fixture content with a French edition, and a profile whose sentences are translated into French."""
    content = tmp_path / "content"
    (content / "fr").mkdir(parents=True)
    profile = (DATA / "clinic.yaml").read_text(encoding="utf-8")
    digest = sentences_digest(load_profile(DATA / "clinic.yaml"))
    french = "".join(f"    {key}: Phrase {n} en français.\n" for n, key in enumerate(
        ("safety_driving", "safety_rest_of_day", "safety_session", "safety_side_effects", "before_visit_eating",
         "before_visit_medicines", "before_visit_bring")))
    (content / "clinic.yaml").write_text(profile + f'  fr:\n    source_hash: "{digest}"\n' + french,
                                         encoding="utf-8")
    body = ("Votre rendez-vous : **{{ appointment }}**\n\n- [ ] {{ clinic.safety_driving }}\n- [ ] Apportez ce "
            "papier.\n\nNom du conducteur : ___\n\n" + "Une phrase courte et simple pour remplir la page. " * 120)
    (content / "visit.md").write_text("---\ntitle: Visit\nkind: checklist\n---\nYour appointment: "
                                      "**{{ appointment }}**\n\n- [ ] {{ clinic.safety_driving }}\n- [ ] Bring this "
                                      "sheet.\n\nDriver's name: ___\n\n" + "A short and plain sentence. " * 120,
                                      encoding="utf-8")
    (content / "fr" / "visit.md").write_text("---\ntitle: Visite\nkind: checklist\nlanguage: fr-FR\n---\n" + body,
                                             encoding="utf-8")
    return content


def test_without_its_file_lint_says_a_language_would_print_english_words(tmp_path):
    project = Project.open(french_content(tmp_path), REPO / "layouts")
    (finding,) = [f for f in lint_project(project) if f.rule == "locale-missing"]
    assert finding.source.endswith("fr") and "fr.yaml" in finding.hint
    assert not has_locale("fr-FR")


def test_one_file_gives_a_new_language_its_words(tmp_path, french):
    project = Project.open(french_content(tmp_path), REPO / "layouts")
    assert not [f for f in lint_project(project) if f.rule.startswith("locale")]
    moment = datetime(2026, 12, 3, 9, 30)
    from handouts.pipeline import render_document

    layout = project.layouts.load("large-print")
    pdf = render_document(project, "visit", layout, appointment=moment, language="fr")
    shown = normalized(text(pdf))
    pages = len(reader(pdf).pages)
    assert pages > 1
    # Labels: the footer's page number and the sample mark (the tests' profile looks like the sample).
    assert f"Page 1 sur {pages}" in shown and "EXEMPLE — pas pour les patients" in shown
    assert "Page 1 of" not in shown and "SAMPLE" not in shown
    # The appointment: Babel's French date and time, put together as fr.yaml says.
    assert in_words(moment, "fr-FR") == "jeudi 3 décembre 2026 à 09:30"
    assert "jeudi 3 décembre 2026 à 09:30" in shown
    # Spoken text: a printed checkbox, and the line to write on.
    printed = reader(render_document(project, "visit", replace(layout, forms=False), appointment=moment,
                                     language="fr"))
    figures = [figure.alt for label in struct_tree(printed).find("Lbl") for figure in label.find("Figure")]
    assert figures == ["case à cocher, non cochée"] * 2
    spans = [span.actual_text for span in struct_tree(printed).find("Span") if span.actual_text]
    assert spans == ["ligne vide pour écrire : Nom du conducteur"]
    # Footer stripping: `check` reads /Lang and leaves the French page label out of the text it measures.
    path = tmp_path / "visit.pdf"
    path.write_bytes(pdf)
    read = read_back(path)
    assert f"Page 1 sur {pages}" in read.lines[0]
    assert f"Page 1 sur {pages}" in read.body_text()  # English's label is not French's
    assert " sur " not in read.body_text(Locale.for_tag("fr").page_number)
    assert check_pdf(path).figures["readability_formula"] == "flesch-kincaid"


def test_one_file_gives_the_line_breaker_a_languages_dates(french):
    fonts = FontSet("atkinson-hyperlegible")
    sentence = [Span("Votre rendez-vous est le jeudi 3 décembre 2026 à 09:30, à la clinique de la rue.")]
    for language, together in (("fr-FR", True), ("en-US", False)):
        kept = Locale.for_tag(language).keep_together
        lines = [["".join(p.text for p in line.pieces) for line in break_lines(sentence, fonts, 18.0, float(w), kept)]
                 for w in range(150, 420, 5)]
        assert all(any("3 décembre 2026" in line for line in each) for each in lines) is together


def test_check_strips_a_spanish_footer():
    lines = [["Hola, Ana.", "MUESTRA — no es para pacientes", "Página 1 de 2"],
             ["Adiós.", "MUESTRA — no es para pacientes", "Página 2 de 2"]]
    shown = Readback(0.0, lines=lines)
    assert shown.body_text(Locale.for_tag("es-US").page_number) == "Hola, Ana.\nAdiós."
    assert "Página 1 de 2" in shown.body_text()  # English's label leaves it: the words follow the language


def test_the_shipped_files_are_package_data():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"locales/*.yaml"' in pyproject
    assert {"en.yaml", "es.yaml"} <= {p.name for p in SHIPPED.glob("*.yaml")}
