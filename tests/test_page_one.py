"""Issue 23, items 2-4 and 9: the packet's page 1 stands alone, the email carries the driver rule, the checklist is
steps, and the Spanish reads as the translator corrected it. Read from the drawn PDFs and the composed email."""

import io
from datetime import datetime

import pytest
from conftest import PATIENT, REPO, render
from pypdf import PdfReader

from handouts.load.project import Project
from handouts.load.roster import RosterRow
from handouts.mail.message import compose, letter
from handouts.pipeline import packet_document, render_checked, render_document

DOCUMENTS = ("infusion-day-checklist", "fibromyalgia-ketamine")
WHEN = datetime(2026, 12, 8, 10, 0)


@pytest.fixture(scope="module")
def shipped():
    return Project.open(REPO / "content", REPO / "layouts")


def pages(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def packet_pages(project, language, layout="standard"):
    document = packet_document(project, PATIENT, WHEN, DOCUMENTS, language)
    pdf = render_checked(project, document, project.layouts.load(layout), "packet")
    return pages(pdf if isinstance(pdf, bytes) else bytes(pdf))


def email_text(project, language):
    row = RosterRow(2, "P001", "Jack Smith", "Jack", WHEN, "standard", (), "", language)
    message = compose(project, letter(project, "frontdesk@lakeside-pain.test"), row, "jsmith@example.org",
                      b"%PDF-1.4")
    return message, " ".join(message.get_body(("plain",)).get_content().split())


def test_the_visit_length_comes_from_the_profile(shipped):
    assert (shipped.clinic["infusion_minutes"], shipped.clinic["rest_minutes"]) == ("40-60", "30")
    assert (shipped.clinic["visit_minutes"], shipped.clinic["visit_hours"]) == ("90", "1½")


@pytest.mark.parametrize("language,rule,plan", [
    ("en-US", "Important: You must arrange for someone else to drive you home", "Plan for about 1½ hours."),
    ("es-US", "Importante: Usted debe conseguir que otra persona le lleve a casa", "Cuente con unas 1½ horas."),
])
def test_the_email_carries_the_driver_rule_under_the_greeting(shipped, language, rule, plan):
    message, plain = email_text(shipped, language)
    assert rule in plain and plan in plain
    assert plain.index(rule) < plain.index("Pleas" if language == "en-US" else "Le esperamos")
    if language == "es-US":
        assert message["Subject"] == "Su primera cita en Austin Ketamine Specialists"
        assert "Su primera cita es el" in plain and "a. m.." not in plain and "visit-packet.pdf" not in plain
        assert "Su información está en el archivo PDF adjunto a este correo." in plain


def test_page_one_of_the_english_packet_stands_alone(shipped):
    first = packet_pages(shipped, None)[0]
    for words in ("Austin Ketamine Specialists", "When: Tuesday, December 8, 2026 at 10:00 AM",
                  "Where: 100 Example Street", "a ketamine infusion (medicine given slowly through a vein)",
                  "someone else to drive you home", "Plan for about 1½ hours at the clinic",
                  "The infusion usually takes 40 minutes to one hour", "Tell your driver.",
                  "Call us at (512) 555-0142 to ask: • what you may eat and drink • which medicines to take "
                  "• what to bring", "After hours, call (512) 555-0199", "911"):
        assert words in first, words
    assert "at 10:00 AM at" not in first  # one "at": When and Where are lines of their own


def test_page_one_of_the_spanish_packet_stands_alone(shipped):
    first = packet_pages(shipped, "es")[0]
    for words in ("Información para su cita", "Austin Ketamine Specialists", "Su cita: martes",
                  "Dirección: 100 Example Street", "Cuente con unas 1½ horas en la clínica",
                  "Llámenos al (512) 555-0142 para preguntar", "Fuera del horario de atención, llame al",
                  "911"):
        assert words in first, words


@pytest.mark.parametrize("layout", ["standard", "large-print"])
def test_the_checklist_is_steps(shipped, layout):
    data = render(shipped, "infusion-day-checklist", layout, patient=PATIENT, appointment=WHEN)
    shown = " ".join(pages(data))
    assert shown.count("to ask:") == 1 and "What may I eat and drink?" in shown
    assert "Driver's name and phone:" in shown and "Pickup time:" in shown
    reader = PdfReader(io.BytesIO(data))
    widgets = [a.get_object() for page in reader.pages for a in page.get("/Annots", [])
               if a.get_object().get("/Subtype") == "/Widget"]
    boxes = [w for w in widgets if w.get("/FT") == "/Btn"]
    names = [str(w.get("/TU", "")) for w in boxes]
    assert sum("Call us" in name for name in names) == 1  # one box for the one call
    assert len(boxes) == 5  # the call, the ride home, bring this list, arrive on time, the driver comes
    links = [str(a.get_object()["/A"]["/URI"]) for page in reader.pages for a in page.get("/Annots", [])
             if a.get_object().get("/Subtype") == "/Link"]
    assert links.count("tel:+15125550142") == 2 and "tel:+15125550199" in links and "tel:911" in links


def test_the_spanish_corrections(shipped):
    data = render_document(shipped, "infusion-day-checklist", shipped.layouts.load("standard"), PATIENT, WHEN, "es")
    checklist = " ".join(pages(data if isinstance(data, bytes) else bytes(data)))
    assert "Antes de su cita" in checklist and "visita" not in checklist
    assert "Nombre y teléfono de quien le llevará a casa" in checklist
    assert "Fuera del horario de atención, llame al" in checklist
    profile = shipped.clinic._translations["es"]
    assert profile["safety_driving"].startswith("Usted debe conseguir que otra persona le lleve a casa en carro")
    assert "Después, descansará en la clínica durante 30 minutos." in profile["safety_session"]
    assert "náuseas leves (ganas de vomitar)" in profile["safety_side_effects"]
    assert "nausea (feeling like you may throw up)" in shipped.clinic["safety_side_effects"]
