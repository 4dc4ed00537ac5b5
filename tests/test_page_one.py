"""Issue 23, items 2-5 and 9: the packet's page 1 stands alone, the email carries the driver rule, the checklist is
steps, the handout reads like the best leaflets, and the Spanish reads as the translator corrected it. Read from the
drawn PDFs and the composed email."""

import io
import re
import shutil
from dataclasses import replace
from datetime import datetime

import pikepdf
import pytest
from conftest import LAYOUTS, PATIENT, REPO, render, run
from pdfread import struct_tree
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


def packet_pdf(project, language, layout="standard") -> bytes:
    document = packet_document(project, PATIENT, WHEN, DOCUMENTS, language)
    return bytes(render_checked(project, document, project.layouts.load(layout), "packet"))


def packet_pages(project, language, layout="standard"):
    return pages(packet_pdf(project, language, layout))


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
        assert "Su primera cita es el" in plain and "a. m.." not in plain
        assert ".pdf" not in plain  # the attachment is not named in the text
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
    # PEMAT: no sum left to the reader (the pickup time is given from the profile), and "infusion" is explained
    assert "Your driver comes at the pickup time, about 1½ hours after you arrive." in shown
    assert "ketamine infusion (medicine given slowly through a vein)" in shown
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
    assert "Nombre y teléfono de la persona que le llevará a casa:" in checklist  # 8
    # 24, and "infusión" explained as the English checklist explains it (PEMAT item 4)
    assert ("Jack, use esta lista para prepararse antes de su infusión (medicina que se da poco a poco por una "
            "vena).") in checklist
    # 6 in its short form: with the explanation, "cuando termine ese paso" would be a third line of the opening,
    # and the standard checklist has no room for it (one page, checked by `handouts lint` and test_page_fill)
    assert "Marque cada casilla." in checklist
    assert "Fuera del horario de atención, llame al" in checklist
    assert "Quien le lleva llega a la hora acordada: unas 1½ horas después." in checklist
    profile = shipped.clinic._translations["es"]
    assert profile["safety_driving"].startswith("Usted debe conseguir que otra persona le lleve a casa en carro")
    assert "Después, descansará en la clínica durante 30 minutos." in profile["safety_session"]
    assert "náuseas leves (ganas de vomitar)" in profile["safety_side_effects"]
    assert "nausea (feeling like you may throw up)" in shipped.clinic["safety_side_effects"]


# -- the handout (item 5) --------------------------------------------------------------------------------------------

HANDOUT = "fibromyalgia-ketamine"


def handout(project, language=None, layout="standard", forms=True):
    chosen = project.layouts.load(layout)
    data = render_document(project, HANDOUT, chosen if forms else replace(chosen, forms=False), PATIENT, WHEN,
                           language)
    return data if isinstance(data, bytes) else bytes(data)


def actual_texts(data: bytes) -> list[str]:
    """What a screen reader says for the structure elements that carry /ActualText, in reading order."""
    pdf = pikepdf.open(io.BytesIO(data))

    def walk(element):
        if isinstance(element, pikepdf.Dictionary):
            if "/ActualText" in element:
                yield str(element.ActualText)
            kids = element.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]) if kids is not None else []:
                yield from walk(kid)
    return list(walk(pdf.Root.StructTreeRoot))


def outline(data: bytes) -> list[tuple[int, str]]:
    """The bookmarks as (depth, title): the headings a reader jumps between."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title))
    walk(PdfReader(io.BytesIO(data)).outline, 0)
    return found


def text_fields(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [str(a.get_object().get("/TU")) for page in reader.pages for a in page.get("/Annots", [])
            if a.get_object().get("/FT") == "/Tx"]


@pytest.mark.parametrize("language,words", [
    (None, ("Key points", "You must arrange for someone else to drive you home after your infusion.",
            "Plan for about 1½ hours at the clinic. Tell your driver.", "Questions? Call us at (512) 555-0142.",
            "In an emergency, call 911.", "Jack, this handout tells you")),
    ("es", ("Puntos clave", "Usted debe conseguir que otra persona le lleve a casa en carro después de la infusión.",
            "Cuente con unas 1½ horas en la clínica. Dígaselo a quien le lleve.",
            "¿Tiene preguntas? Llámenos al (512) 555-0142.", "En una emergencia, llame al 911.",
            "Jack, esta guía le explica qué esperar cuando venga a recibir su infusión de ketamina.")),
])
def test_the_handout_opens_with_key_points(shipped, language, words):
    data = handout(shipped, language)
    first = pages(data)[0]
    at = [first.find(w) for w in words]
    assert -1 not in at and at == sorted(at), list(zip(words, at))  # in this order, under the title
    reader = PdfReader(io.BytesIO(data))
    links = [str(a.get_object()["/A"]["/URI"]) for a in reader.pages[0].get("/Annots", [])
             if a.get_object().get("/Subtype") == "/Link"]
    assert links[:2] == ["tel:+15125550142", "tel:911"]  # the phone and 911 in the box are links


def test_the_key_points_visit_length_comes_from_the_profile(tmp_path):
    content = shutil.copytree(REPO / "content", tmp_path / "content")
    profile = content / "clinic.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("infusion_minutes: 40-60", "infusion_minutes: 60-90"), encoding="utf-8")
    project = Project.open(content, REPO / "layouts")
    assert "Plan for about 2 hours at the clinic." in pages(handout(project))[0]  # 90 + 30 minutes
    assert "Cuente con unas 2 horas en la clínica." in pages(handout(project, "es"))[0]
    profile.write_text(profile.read_text(encoding="utf-8").replace("rest_minutes: 30\n", ""), encoding="utf-8")
    project = Project.open(content, REPO / "layouts")
    first = pages(handout(project))[0]
    assert "Plan for about" not in first and "Questions? Call us" in first  # no length: the line is left out


@pytest.mark.parametrize("language,practical,more", [
    (None, ["On infusion day", "After your infusion", "When to call us", "About fibromyalgia", "How ketamine may help",
            "Contact us", "Questions to ask your care team"],
     ["If you want to know more", "What may cause it?", "How ketamine may work"]),
    ("es", ["El día de la infusión", "Después de la infusión", "Cuándo llamarnos", "Sobre la fibromialgia",
            "Cómo puede ayudar la ketamina", "Contáctenos", "Preguntas para su equipo médico"],
     ["Si quiere saber más", "¿Qué la puede causar?", "Cómo puede funcionar la ketamina"]),
])
def test_background_comes_after_the_questions(shipped, language, practical, more):
    data = handout(shipped, language)
    headings = outline(data)
    sections = [title for depth, title in headings if depth == 1]
    assert sections == [*practical, more[0]]  # what to do first, background last
    tail = headings[[title for _, title in headings].index(more[0]):]
    assert tail == [(1, more[0]), (2, more[1]), (2, more[2])]  # H2 then its H3s: no level skipped
    shown = " ".join(pages(data))
    cause = shown.index(more[1])
    assert shown.index(practical[-1]) < cause  # the causes and the mechanism are read after the questions
    assert all(shown.index(w) > cause for w in (("nerve cells", "memory pain.") if language is None
                                                else ("células nerviosas", "memoria del dolor.")))


def test_the_english_handout_in_plain_words(shipped):
    shown = " ".join(pages(handout(shipped)))
    who = shown[shown.index("Who gets it?"):shown.index("Common symptoms")]
    assert who == ("Who gets it? About four million adults in the United States have it. About 9 out of 10 of them "
                   "are women, but men can get it too. ")  # one or two lines
    assert "90%" not in shown and "percent" not in shown
    assert "This suggests that genes may play a part." in shown and "This means your genes" not in shown
    assert "nausea (feeling like you may throw up)" in shown and "upset stomach" not in shown
    # "brain fog" is explained where it is first met, and fatigue is said once, in the symptoms
    assert shown.index("brain fog") == shown.index("brain fog (trouble thinking clearly)")
    assert shown.count("atigue") == 1
    # one word for the visit: appointment
    assert "appointment" in shown and not re.search(r"\bvisits?\b", shown)


def test_the_spanish_handout_as_the_translator_corrected_it(shipped):
    shown = " ".join(pages(handout(shipped, "es")))
    for words in (
            "Un anestésico es una medicina que bloquea el dolor y las sensaciones.",  # 3
            "Se ha usado de forma segura como anestésico desde principios de los años 60.",  # 4
            "Trastorno de la articulación temporomandibular (ATM; en inglés, TMJ). Es un problema en la articulación "
            "de la mandíbula.",  # 5
            "Fuera del horario de atención, llame al (512) 555-0199.",  # 9
            "Le pondremos una vía intravenosa (IV) en el brazo. Es un tubito delgado que entra en una vena.",  # 15
            "esta guía le explica qué esperar cuando venga a recibir su infusión de ketamina.",  # 16
            "Fatiga (mucho cansancio)",  # 17
            "Hormigueo o adormecimiento",  # 18
            "Problemas del estado de ánimo, como depresión o ansiedad",  # 19
            "Suele haber varios casos en una misma familia. Esto indica que los genes pueden influir.",  # 20
            "Algunas cosas pueden provocar la fibromialgia:",  # 21
            "células nerviosas", "nuevas conexiones", "“reconectar”",  # 22
            "Los investigadores todavía no conocen la causa exacta.",  # 23
            "Preguntas para su equipo médico", "Escriba lo que quiera preguntarnos.",  # 26
            "náuseas leves (ganas de vomitar)",  # 28
            "Cerca de 9 de cada 10 son mujeres"):
        assert words in shown, words
    assert shown.count("atiga") == 1 and "cansancio" in shown and "sentirse muy cansado" not in shown  # 17
    assert "visita" not in shown and "cita" in shown  # 14
    assert "90 %" not in shown and '"reconectar"' not in shown and "uniones" not in shown
    assert shown.index("niebla mental") == shown.index("niebla mental (les cuesta pensar con claridad)")


@pytest.mark.parametrize("language,name,line", [(None, "Question", "line"), ("es", "Pregunta", "línea")])
def test_each_question_has_two_lines_to_write_on(shipped, language, name, line):
    expected = [f"{name} {n}" + (f", {line} {k}" if k > 1 else "") for n in (1, 2, 3) for k in (1, 2)]
    assert text_fields(handout(shipped, language)) == expected  # one field per line, each named for its question
    printed = handout(shipped, language, forms=False)  # --no-forms: drawn lines, each announced by its name
    assert not text_fields(printed)
    said = [text for text in actual_texts(printed) if name in text]
    assert [text.split(": ", 1)[1] for text in said] == expected


def test_the_handout_built_through_the_cli(tmp_path, capsys):
    code, _, err = run(capsys, "build", HANDOUT, "--layout", "large-print", "--out", str(tmp_path),
                       "--content", str(REPO / "content"), "--layouts", str(REPO / "layouts"))
    assert code == 0, err
    data = (tmp_path / "large-print" / f"{HANDOUT}.pdf").read_bytes()
    shown = " ".join(pages(data))
    assert shown.index("Key points") < shown.index("This handout tells you") < shown.index("On infusion day")
    assert text_fields(data)[:3] == ["Question 1", "Question 1, line 2", "Question 2"]


# -- issue 23, the last pieces: one word for the appointment, a picture of the day on page 1 ------------------------

VISIT = {None: re.compile(r"\b[Vv]isits?\b"), "es": re.compile(r"\b[Vv]isitas?\b")}


@pytest.mark.parametrize("language", [None, "es"])
def test_one_word_for_the_appointment(shipped, language):
    """Appointment / cita, never visit / visita: in the whole packet (page 1, the checklist, the handout), its
    title and bookmarks, and the email's subject and text."""
    data = packet_pdf(shipped, language)
    shown = " ".join(pages(data))
    reader = PdfReader(io.BytesIO(data))
    titles = [str(reader.metadata.title)] + [item.title for item in reader.outline if not isinstance(item, list)]
    message, plain = email_text(shipped, language or "en-US")
    for text in (shown, *titles, message["Subject"], plain):
        assert not VISIT[language].search(text), text
    word = "appointment" if language is None else "cita"
    assert word in shown and word in message["Subject"] and word in plain
    if language is None:
        assert "Before your appointment" in shown and titles[0].startswith("Your appointment packet")
        assert message["Subject"] == "Your first appointment with Austin Ketamine Specialists"
        assert "Your first appointment is on" in plain


@pytest.mark.parametrize("language,steps,use", [
    (None, ["Arrive", "IV in your arm", "Infusion: 40 to 60 minutes", "Rest: 30 minutes",
            "Your driver takes you home"],
     "Show this picture to your driver. They should pick you up about 1½ hours after you arrive."),
    ("es", ["Llega a la clínica", "Le ponemos la vía IV en el brazo", "Infusión: de 40 a 60 minutos",
            "Descanso: 30 minutos", "Su acompañante le lleva a casa"],
     "Muéstrele este dibujo a la persona que le llevará a casa. Debe recogerle unas 1½ horas después de que "
     "usted llegue."),
])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_packet_opening_shows_the_day_and_says_how_to_use_it(shipped, language, steps, use, layout):
    """PEMAT-P items 15-18, 25 and 26 for page 1: the timeline of the day (a captioned Figure whose /Alt says each
    step, the range in words) in the packet's opening, after its actions and contents, with what to do with it."""
    data = packet_pdf(shipped, language, layout)
    opening = struct_tree(PdfReader(io.BytesIO(data))).find("Part")[0]
    (figure,) = opening.find("Figure")
    assert figure.alt == " ".join(f"{n}. {step}." for n, step in enumerate(steps, start=1))
    assert len(opening.find("Caption")) == 1
    shown = " ".join(pages(data))
    call = "Call us at (512) 555-0142 to ask" if language is None else "Llámenos al (512) 555-0142 para preguntar"
    contents = "In this packet" if language is None else "Contenido"
    # The actions first, then the contents (on page 1 in standard print), then the picture.
    assert shown.index(call) < shown.index(contents) < shown.index(use)
    assert layout != "standard" or contents in pages(data)[0]


@pytest.mark.parametrize("language,use", [
    (None, "Show this picture to your driver. They should pick you up about 1½ hours after you arrive."),
    ("es", "Muéstrele este dibujo a la persona que le llevará a casa. Debe recogerle unas 1½ horas después de que "
           "usted llegue."),
])
def test_the_handout_says_how_to_use_its_timeline(shipped, language, use):
    """PEMAT-P item 25: the handout's picture of the day comes with what to do with it."""
    shown = " ".join(pages(handout(shipped, language)))
    caption = "What happens on infusion day" if language is None else "Qué pasa el día de su infusión"
    assert shown.index(caption) < shown.index(use)
