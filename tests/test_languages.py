"""Language editions (issue 16): Spanish beside English, chosen per roster row, checked like English."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import page as ua_validator
import pytest
from conftest import REPO, run
from pdfread import reader, struct_tree, text

from handouts.batch.plan import row_rules
from handouts.pipeline import load_document
from handouts.mail.message import compose, letter
from handouts.load.content import source_digest
from handouts.load.dates import in_words
from handouts.load.languages import resolve
from handouts.load.project import Project
from handouts.load.roster import Roster, RosterRow
from handouts.model import plain_text, walk
from handouts.quality.lint import lint_project
from handouts.load.locale import Locale
from handouts.text.readability import FORMULAS, spanish_syllables

SPANISH_MIN_EASE = Locale.for_tag("es-US").min_ease  # the target, from handouts/locales/es.yaml

DOCUMENTS = ("infusion-day-checklist", "fibromyalgia-ketamine")


def measure_in(text: str, language: str):
    """The reading level with the formula the language's locale file names, as lint and check measure it."""
    return FORMULAS[Locale.for_tag(language).formula].measure(text)


def ua_failures(data: bytes) -> list[str]:
    report = ua_validator.validate_pdf_bytes(bytes(data), profile="ua1")
    return [f.rule_id for f in report.failures] or ([] if report.is_compliant else ["not compliant"])


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A copy of the shipped content (English and its editions) that a test may change."""
    folder = tmp_path / "content"
    shutil.copytree(REPO / "content", folder)
    return folder


# -- choosing the edition -----------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("es", "es-US"), ("es-US", "es-US"), ("es-MX", "es-US"), ("ES_us", "es-US"), ("Spanish", "es-US"),
    ("Español", "es-US"), ("espanol", "es-US"), ("English", "en-US"), ("en-GB", "en-US"),
    ("fr", None), ("French", None), ("Dana Whitfield", None),
])
def test_a_roster_value_picks_an_edition(value, expected):
    assert resolve(value, ("en-US", "es-US")) == expected


def test_row_rules_know_the_editions(project):
    rules = row_rules(project)
    assert rules.language == "en-US" and rules.editions == ("es-US",)


def test_dates_in_the_patients_language():
    moment = datetime(2026, 12, 1, 9, 30)
    assert in_words(moment) == "Tuesday, December 1, 2026 at 9:30 AM"
    assert in_words(moment, in_sentence=True) == "Tuesday, December 1, 2026 at 9:30 AM"
    # As a medical translator wrote them (issue 23, #1 and #2): no comma after the weekday, "a las", "a. m.";
    # on a line of its own ("Su cita: ...") a comma before the time, in a sentence none.
    assert in_words(moment, "es-US") == "martes 1 de diciembre de 2026, a las 9:30 a. m."
    assert in_words(moment, "es-US", in_sentence=True) == "martes 1 de diciembre de 2026 a las 9:30 a. m."
    assert in_words(datetime(2026, 12, 1, 15, 5), "es-MX").endswith("a las 3:05 p. m.")
    assert in_words(datetime(2026, 12, 1, 0, 5), "es-US").endswith("a las 12:05 a. m.")


# -- a mixed roster through `handouts packets` -----------------------------------------------------


def test_mixed_roster_gives_each_patient_their_language(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HANDOUTS_TODAY", "2026-11-30")
    roster = tmp_path / "roster.csv"
    roster.write_text("patient_id,name,appointment,preferred_name,layout,language\n"
                      "P1,Ana Núñez,2026-12-01 09:30,Ana,large-print,Español\n"
                      "P2,Jack Smith,2026-12-01 10:30,Jack,standard,\n"
                      "P3,Luis Pérez,2026-12-02 15:05,Luis,standard,es-MX\n", encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, "packets", str(roster), "--out", str(out), "--jobs", "1", "--allow-draft",
                               "--content", str(REPO / "content"), "--layouts", str(REPO / "layouts"))
    assert code == 0, stderr
    for file, day, time in (("P1_2026-12-01.pdf", "martes 1 de diciembre de 2026", "a las 9:30 a. m."),
                            ("P3_2026-12-02.pdf", "miércoles 2 de diciembre de 2026", "a las 3:05 p. m.")):
        data = (out / file).read_bytes()
        shown = " ".join(text(data).split())
        pages = len(reader(data).pages)
        assert "Información para su cita" in shown and "Preparado para" in shown  # the cover
        assert f"Su cita: {day}, {time}" in shown  # the date, by Babel, as the locale file puts it
        assert f"Página 1 de {pages}" in shown and f"Página {pages} de {pages}" in shown  # the footer
        assert "Lista para el día de su infusión" in shown and "Antes de su cita" in shown  # the checklist
        assert "Usted debe conseguir que otra persona le lleve a casa" in shown  # the safety step, translated
        assert "Page 1 of" not in shown and "Your appointment" not in shown and "Before your appointment" not in shown
        assert "MUESTRA" in shown and "SAMPLE" not in shown  # the sample mark too
        catalog = reader(data).trailer["/Root"]
        assert catalog["/Lang"] == "es-US"
        assert catalog["/StructTreeRoot"]["/K"].get_object()["/Lang"] == "es-US"  # and the Document element
        assert reader(data).metadata.title.startswith("Información para su cita (")
        outline = [item.title for item in reader(data).outline if not isinstance(item, list)]
        assert "Lista para el día de su infusión" in outline
        assert ua_failures(data) == []
        tree = struct_tree(reader(data))
        boxes = [form.annotations[0] for label in tree.find("Lbl") for form in label.find("Form")]
        assert boxes and all(" ".join(str(box["/TU"]).split()) in shown for box in boxes)  # named in Spanish
    english = " ".join(text((out / "P2_2026-12-01.pdf").read_bytes()).split())
    assert "Your appointment packet" in english and "Tuesday, December 1, 2026 at 10:30 AM" in english
    assert "Page 1 of" in english and "Página" not in english
    assert reader((out / "P2_2026-12-01.pdf").read_bytes()).trailer["/Root"]["/Lang"] == "en-US"


def test_a_missing_edition_falls_back_to_english_with_a_note(tmp_path, capsys, monkeypatch, content_copy):
    monkeypatch.setenv("HANDOUTS_TODAY", "2026-11-30")
    (content_copy / "es" / "fibromyalgia-ketamine.md").unlink()
    roster = tmp_path / "roster.csv"
    # P2 asks only for the checklist, which has its Spanish edition.
    roster.write_text("patient_id,name,appointment,language,documents\n"
                      "P1,Ana Núñez,2026-12-01 09:30,es,\n"
                      "P2,Eva Ruiz,2026-12-01 09:30,es,infusion-day-checklist\n", encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, "packets", str(roster), "--out", str(out), "--jobs", "1", "--allow-draft",
                               "--content", str(content_copy), "--layouts", str(REPO / "layouts"))
    assert code == 0, stderr
    said = stdout + stderr
    assert "no Spanish (es-US) edition of 'fibromyalgia-ketamine'" in said and "(row 2)" in said
    first = " ".join(text((out / "P1_2026-12-01.pdf").read_bytes()).split())
    assert "Your appointment packet" in first and "Página" not in first  # all English: never a mix
    second = " ".join(text((out / "P2_2026-12-01.pdf").read_bytes()).split())
    assert "Información para su cita" in second


def test_an_unknown_language_is_a_row_problem(project, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("patient_id,name,appointment,language\nP1,Ana Núñez,2026-12-01 09:30,Klingon\n",
                      encoding="utf-8")
    (problem,) = list(Roster(roster).rows(row_rules(project)))
    assert problem.field == "language" and "es-US" in problem.reason and "Klingon" not in str(problem)


# -- the email -------------------------------------------------------------------------------------


def test_the_email_is_in_the_patients_language(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    row = RosterRow(2, "P1", "Ana Núñez", "Ana", datetime(2026, 12, 1, 9, 30), "standard", (), "a@x.test", "es-US")
    message = compose(project, letter(project, "care@clinic.test"), row, "a@x.test", b"%PDF-1.7")
    assert message["Subject"] == "Su primera cita en Austin Ketamine Specialists"
    assert message["Content-Language"] == "es-US"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    # In a sentence: no comma before "a las", and the sentence ends with "a. m." (never "a. m..").
    assert "Hola, Ana:" in plain and "Su primera cita es el martes 1 de diciembre de 2026 a las 9:30 a. m.\n" in plain
    assert "a. m.." not in plain
    assert '<html lang="es-US">' in html
    english = compose(project, letter(project, "care@clinic.test"),
                      RosterRow(3, "P2", "Jack Smith", "Jack", datetime(2026, 12, 1, 9, 30), "standard", (),
                                "j@x.test", "en-US"), "j@x.test", b"%PDF-1.7")
    assert english["Subject"] == "Your first appointment with Austin Ketamine Specialists"


# -- checks per language -----------------------------------------------------------------------------


def test_shipped_editions_pass_lint(project):
    findings = [f for f in lint_project(project) if "/es/" in f.source.replace("\\", "/")]
    assert findings == []


@pytest.mark.parametrize("name", DOCUMENTS)
def test_spanish_editions_read_fairly_easy(project, name):
    document = load_document(project, name, language="es-US")
    assert document.language == "es-US"
    lines = [plain_text(node.spans) for node in walk(document.blocks) if getattr(node, "spans", None)]
    level = measure_in("\n".join(lines), "es-US")
    assert level.formula == "fernandez-huerta"
    assert level.reading_ease >= SPANISH_MIN_EASE and level.average_sentence_length <= 15


@pytest.mark.parametrize("word, count", [("ketamina", 4), ("infusión", 3), ("día", 2), ("leer", 2),
                                         ("bueno", 2), ("ciudad", 2), ("que", 1), ("guitarra", 3), ("muy", 1),
                                         ("fibromialgia", 4), ("anestesia", 4)])
def test_spanish_syllables(word, count):
    assert spanish_syllables(word) == count


def test_spanish_readability_scores_hard_text_lower():
    easy = measure_in("Llame al 911. Venga con un amigo. Descanse en casa.", "es")
    hard = measure_in("La administración intravenosa de anestésicos disociativos requiere monitorización "
                      "hemodinámica continuada durante la intervención terapéutica correspondiente.", "es")
    assert easy.reading_ease > 80 > SPANISH_MIN_EASE > hard.reading_ease


def test_lint_catches_a_translation_that_drops_a_checklist_item(content_copy):
    path = content_copy / "es" / "infusion-day-checklist.md"
    path.write_text(path.read_text(encoding="utf-8").replace("- [ ] Traiga esta lista.\n", ""),
                    encoding="utf-8")
    findings = lint_project(Project.open(content_copy, REPO / "layouts"))
    structure = [f for f in findings if f.rule == "edition-structure"]
    assert structure and all(f.source == str(path) for f in structure)
    said = " ".join(f.message for f in structure)
    assert "checkboxes where the English has" in said


def test_lint_catches_a_dropped_write_in_and_safety_box(content_copy):
    path = content_copy / "es" / "fibromyalgia-ketamine.md"
    changed = path.read_text(encoding="utf-8").replace("> **Importante:** {{ clinic.safety_driving }}\n", "")
    path.write_text(changed.replace("Pregunta: ___\n___\n\n", "", 1), encoding="utf-8")
    said = " ".join(f.message for f in lint_project(Project.open(content_copy, REPO / "layouts"))
                    if f.rule == "edition-structure")
    assert "2 important boxes where the English has 3" in said and "4 write-in lines where the English has 6" in said


def test_lint_catches_a_translation_that_drops_the_timeline_or_a_step(content_copy):
    path = content_copy / "es" / "fibromyalgia-ketamine.md"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("```timeline\n"), text.index("```\n", text.index("```timeline\n") + 3) + 4
    for changed, words in ((text.replace("- Llega a la clínica\n", ""), "a timeline of 4 steps where the English "
                                                                         "has a timeline of 5 steps"),
                           (text[:start] + text[end:], "no timeline where the English has a timeline of 5 steps")):
        path.write_text(changed, encoding="utf-8")
        findings = lint_project(Project.open(content_copy, REPO / "layouts"))
        assert words in " ".join(f.message for f in findings if f.rule == "edition-structure" and f.source == str(path))


def test_lint_flags_a_translation_whose_english_source_changed(content_copy):
    english = content_copy / "infusion-day-checklist.md"
    english.write_text(english.read_text(encoding="utf-8").replace("Check each box when it is done.",
                                                                   "Tick each box when it is done."),
                       encoding="utf-8")
    project = Project.open(content_copy, REPO / "layouts")
    (outdated,) = [f for f in lint_project(project) if f.rule == "edition-outdated"]
    assert outdated.source.endswith("infusion-day-checklist.md") and "/es/" in outdated.source.replace("\\", "/")
    assert source_digest(project.content.load("infusion-day-checklist")) in outdated.hint


def test_shipped_source_hashes_are_current(project):
    for name in (*DOCUMENTS, "_packet", "_email"):
        assert project.content.load(name, "es").source_hash == source_digest(project.content.load(name))


def test_a_clinic_sentence_rewritten_in_english_only_is_refused(tmp_path):
    from handouts.load.profile import sentences_digest

    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    clinic = content / "clinic.yaml"
    text = clinic.read_text(encoding="utf-8")
    shipped = sentences_digest(Project.open(content, REPO / "layouts").clinic)
    english = next(line for line in text.splitlines() if line.startswith("safety_driving:"))
    clinic.write_text(text.replace(english, "safety_driving: A friend must drive you home."), encoding="utf-8")
    project = Project.open(content, REPO / "layouts")
    (finding,) = [f for f in lint_project(project) if f.rule == "profile-translation-outdated"]
    assert finding.key == "translations" and f'source_hash: "{sentences_digest(project.clinic)}"' in finding.hint
    # Without its translation at all, the sentence is named.
    spanish = next(line for line in text.splitlines() if line.startswith("    safety_driving:"))
    clinic.write_text(clinic.read_text(encoding="utf-8").replace(spanish + "\n", ""), encoding="utf-8")
    findings = [f for f in lint_project(Project.open(content, REPO / "layouts"))
                if f.rule == "profile-translation-missing"]
    assert findings and findings[0].key == "safety_driving"
    # Translated and checked: the Spanish edition prints the clinic's own words.
    clinic.write_text(clinic.read_text(encoding="utf-8").replace(
        f'source_hash: "{shipped}"', f'source_hash: "{sentences_digest(project.clinic)}"\n'
        "    safety_driving: Un amigo debe llevarle a casa."), encoding="utf-8")
    project = Project.open(content, REPO / "layouts")
    assert not [f for f in lint_project(project) if f.rule.startswith("profile-translation")]
    document = load_document(project, "infusion-day-checklist", language="es")
    assert "Un amigo debe llevarle a casa." in " ".join(plain_text(n.spans) for n in walk(document.blocks)
                                                          if getattr(n, "spans", None))
