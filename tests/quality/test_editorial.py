"""Editorial rules run by lint (quality/editorial.py), on fixture content: never the clinic's own wording."""

from __future__ import annotations

import shutil

import pytest
from conftest import DATA, REPO

from handouts.load.project import Project
from handouts.quality.lint import lint_document, lint_project, lint_warnings

RULES = {"checklist-order", "checkbox-repeated", "checkbox-fact", "safety-restated", "handout-questions",
         "checklist-pages", "packet-opening"}

CHECKLIST = """---
title: Visit checklist
kind: checklist
order: 1
---
{% if appointment %}Your appointment: **{{ appointment }}**{% else %}Appointment date and time: ___{% endif %}

## Before your visit

- [ ] {{ clinic.safety_driving }}
- [ ] {{ clinic.before_visit_bring }}

## On the day

{{ clinic.safety_session }}
"""

HANDOUT = """---
title: About your visit
kind: handout
order: 2
---
## After your visit

- {{ clinic.safety_side_effects }}

## Questions to ask

Question: ___

Question: ___
"""

OPENING = """---
title: Your packet
---
Your appointment: **{{ appointment }}** at {{ clinic.address }}.

Call us with questions: {{ clinic.phone }}.

## In this packet

{% for document in documents %}
- [{{ document.title }}](#{{ document.anchor }})
{% endfor %}
"""


def content(tmp_path, **changes) -> Project:
    """The fixture content ('checklist', 'handout', '_packet' and any others given), with the tests' profile."""
    folder = tmp_path / "content"
    folder.mkdir(exist_ok=True)
    shutil.copy(DATA / "clinic.yaml", folder / "clinic.yaml")
    files = {"checklist": CHECKLIST, "handout": HANDOUT, "_packet": OPENING, **changes}
    for name, text in files.items():
        path = folder / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Project.open(folder, REPO / "layouts")


def editorial(project: Project) -> list[tuple[str, str, int | None]]:
    """(rule, file name, line) of each editorial finding or warning."""
    return [(f.rule, f.source.rsplit("/", 1)[-1], f.line) for f in [*lint_project(project), *lint_warnings(project)]
            if f.rule in RULES]


def line_of(text: str, words: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if words in line)


def test_fixture_content_keeps_every_rule(tmp_path):
    assert editorial(content(tmp_path)) == []


def test_checklists_come_before_handouts(tmp_path):
    project = content(tmp_path, checklist=CHECKLIST.replace("order: 1", "order: 3"))
    (finding,) = [f for f in lint_project(project) if f.rule == "checklist-order"]
    assert finding.source.endswith("checklist.md") and finding.line == 4 and "'handout'" in finding.message


def test_a_checkbox_asked_twice_is_found_at_the_second(tmp_path):
    text = CHECKLIST.replace("- [ ] {{ clinic.before_visit_bring }}\n",
                             "- [ ] {{ clinic.before_visit_bring }}\n- [ ] {{ clinic.before_visit_bring }}\n")
    assert editorial(content(tmp_path, checklist=text)) == [("checkbox-repeated", "checklist.md", 12)]


def test_a_fact_is_never_a_box_to_tick(tmp_path):
    text = CHECKLIST.replace("{{ clinic.safety_session }}\n", "- [ ] {{ clinic.safety_session }}\n")
    assert editorial(content(tmp_path, checklist=text)) == [
        ("checkbox-fact", "checklist.md", line_of(text, "- [ ] {{ clinic.safety_session }}"))]


def test_a_safety_fact_in_a_documents_own_words_is_found(tmp_path):
    text = HANDOUT.replace("## After your visit\n", "## After your visit\n\nYou must arrange for someone else "
                                                    "to drive you home after your infusion.\n")
    project = content(tmp_path, handout=text)
    (finding,) = [f for f in lint_project(project) if f.rule == "safety-restated"]
    assert (finding.key, finding.line) == ("safety_driving", line_of(text, "You must arrange"))
    assert "{{ clinic.safety_driving }}" in finding.hint
    # Through the placeholder, the same words are no finding: the document says them once, from the profile.
    assert editorial(content(tmp_path)) == []


def test_words_of_two_blocks_are_no_restated_sentence(tmp_path):
    """A timeline's last step and the heading after it ("... you home" / "After your infusion") are two blocks:
    their words in a row are not the driving sentence; the same words as one sentence are."""
    day = "```timeline\ncaption: The day\n- Arrive\n- Your driver takes you home\n```\n\n## After your infusion\n"
    assert editorial(content(tmp_path, handout=HANDOUT.replace("## After your visit\n", day))) == []
    said = "Your driver takes you home after your infusion.\n\n## After your infusion\n"
    text = HANDOUT.replace("## After your visit\n", said)
    (finding,) = [f for f in lint_project(content(tmp_path, handout=text)) if f.rule == "safety-restated"]
    assert (finding.key, finding.line) == ("safety_driving", line_of(text, "Your driver takes"))


def test_a_safety_fact_is_found_in_the_editions_language(tmp_path):
    # The tests' profile has the Spanish sentences; an edition restating one is found with them.
    edition = ("---\ntitle: Sobre su visita\nkind: handout\nlanguage: es-US\n---\n## Después de su visita\n\n"
               "Si puede, deje libre el resto del día.\n\n- {{ clinic.safety_side_effects }}\n\n"
               "## Preguntas\n\nPregunta: ___\n\nPregunta: ___\n")
    project = content(tmp_path, **{"es/handout": edition})
    found = [(f.rule, f.key, f.line) for f in lint_document(project, "handout", language="es")
             if f.rule in RULES]
    assert found == [("safety-restated", "safety_rest_of_day", line_of(edition, "Si puede"))]


def test_a_handout_ends_with_room_for_questions(tmp_path):
    text = HANDOUT.replace("Question: ___\n\nQuestion: ___\n", "Ask us anything.\n\nQuestion: ___\n")
    project = content(tmp_path, handout=text)
    assert editorial(project) == [("handout-questions", "handout.md", line_of(text, "## Questions to ask"))]
    assert not [f for f in lint_project(project) if f.rule == "handout-questions"]  # a warning: lint passes


def test_background_may_follow_the_questions(tmp_path):
    text = HANDOUT + "\n## If you want to know more\n\nResearchers do not know the cause yet.\n"
    assert editorial(content(tmp_path, handout=text)) == []  # the questions need not be the very last section
    text = HANDOUT.replace("Question: ___\n\nQuestion: ___\n", "Question: ___\n___\n")
    assert editorial(content(tmp_path, handout=text)) == []  # a line under a question counts as a line


def test_a_checklist_fits_one_page_in_standard_print(tmp_path):
    many = "".join(f"- [ ] Step number {n} of the visit.\n" for n in range(40))
    project = content(tmp_path, checklist=CHECKLIST.replace("## On the day", many + "\n## On the day"))
    findings = [f for f in lint_project(project) if f.rule == "checklist-pages"]
    assert [f.source.endswith("checklist.md") for f in findings] == [True, True]
    said = " ".join(f.message for f in findings)
    assert "in the standard layout" in said and "fits on 1" in said and "in the large-print layout" in said


def test_the_packet_opening_gives_when_where_and_whom_to_call(tmp_path):
    project = content(tmp_path, _packet=OPENING.replace(" at {{ clinic.address }}", ""))
    (finding,) = [f for f in lint_project(project) if f.rule == "packet-opening"]
    assert "the clinic's address" in finding.message and finding.source.endswith("_packet.md")


def test_the_packet_opening_puts_them_on_its_first_page(tmp_path):
    filler = "".join(f"Paragraph {n} is here so that the phone number moves down the page.\n\n" for n in range(30))
    project = content(tmp_path, _packet=OPENING.replace("Call us with", filler + "Call us with"))
    findings = [f for f in lint_project(project) if f.rule == "packet-opening"]
    assert findings and all("the clinic's phone number is not on the first page" in f.message for f in findings)
    assert "in the standard layout" in " ".join(f.message for f in findings)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_says_what_to_do(rule):
    from handouts.quality import editorial as rules

    assert f"`{rule}`" in rules.__doc__
