"""A roster made to trip up anything kept from one patient's packet for the next: names of equal length a letter
apart in one layout and language (one kept file), characters the first did not draw, other scripts, names longer
than their reserve, both languages, every layout, document subsets. Fictional people."""

from datetime import datetime

from handouts.load.roster import RosterRow

BOTH = ("infusion-day-checklist", "fibromyalgia-ketamine")
# (name, preferred name, layout, language, documents)
ROWS = [
    ("Ana Quorvex", "Nitaq", "large-print", "en-US", BOTH),
    ("Eve Quorvel", "Evoq", "large-print", "en-US", BOTH),
    ("Zoë Quørvex", "Zoë", "large-print", "en-US", BOTH),
    ("Nguyễn Thị Mai", "Mai", "large-print", "en-US", BOTH),
    ("Bea Zyllopa", "Beazu", "standard", "es-US", BOTH),
    ("Dov Zyllopo", "Dovix", "standard", "es-US", BOTH),
    ("Дмитрий Жуковский", "Димуля", "extra-large", "en-US", BOTH),
    ("Ελένη Ξανθοπούλου", "Λενιώ", "extra-large", "en-US", BOTH),
    ("Дмитрий Жуковскиц", "Дима", "extra-large", "es-US", BOTH),
    ("Maximiliana Dorfelkovna-Wolkenstein Haverford", "Lianna", "large-print", "en-US", BOTH),
    ("Maximiliano Dorfelkovno-Wolkenstein Haverfort", "Nanoq", "large-print", "en-US", BOTH),
    ("Kim Ostrava", "", "standard", "en-US", ("infusion-day-checklist",)),
    ("Lou Ostravo", "", "standard", "en-US", ("infusion-day-checklist",)),
    ("Nguyễn Văn Tư", "Tư", "extra-large", "es-US", ("fibromyalgia-ketamine",)),
]


def roster_row(number: int, row) -> RosterRow:
    """The roster row `row` (of ROWS), at line `number`: an appointment on one of five days."""
    name, preferred, layout, language, documents = row
    return RosterRow(number, f"P{number}", name, preferred, datetime(2026, 12, 3 + number % 5, 9, 30), layout,
                     documents, "", language)


def rendered_twice_or_more(project, rounds: int) -> list[bytes]:
    """Each row `rounds` times, as a worker renders it (later rounds written from kept files), with no print job;
    no file kept from before."""
    from handouts.batch.workers import render_row
    from handouts.render import assembly

    assembly.TEMPLATES.clear()
    made = [render_row(roster_row(number, row), project) for number, row in enumerate(ROWS * rounds, start=2)]
    assert all(rendered.failure is None for rendered in made)
    return [rendered.pdf for rendered in made]
