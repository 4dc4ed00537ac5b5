"""Sign-off on every path, tied to the text (issue 20): `approve`, drafts refused by `packets` and `send` alike,
editions used only while approved against the current English, the clinic's own words in every language."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import DATA, REPO, REVIEW_DAY, REVIEWER, approved_copy, run
from pdfread import normalized, text

from handouts.load.content import ContentLibrary, text_sha256
from handouts.load.signoff import sign_off

LAYOUTS = str(REPO / "layouts")
CLINIC = DATA / "clinic_send.yaml"  # a filled-in fictional clinic: not the sample, so drafts are refused
HEADER = ["patient_id", "name", "appointment", "preferred_name", "email", "language"]
ROWS = [["P1", "Jack Smith", "2026-12-03 09:30", "Jack", "jsmith@example.org", ""],
        ["P2", "Ana Núñez", "2026-12-03 10:30", "Ana", "ana.n@example.net", "Español"]]


@pytest.fixture
def content(tmp_path):
    """The shipped content, English and Spanish, approved (in a copy), with the fictional clinic's profile."""
    folder = approved_copy(tmp_path / "content")
    shutil.copy(CLINIC, folder / "clinic.yaml")
    return folder


@pytest.fixture
def roster(write_roster):
    return write_roster(ROWS, header=HEADER)


def packets(capsys, tmp_path, roster, content, *extra):
    return run(capsys, "packets", str(roster), "--out", str(tmp_path / "out"), "--jobs", "1", "--quiet",
               "--content", str(content), "--layouts", LAYOUTS, *extra)


def send(capsys, tmp_path, roster, content, *extra):
    return run(capsys, "send", str(roster), "--outbox", str(tmp_path / "outbox"), "--ledger",
               str(tmp_path / "ledger.sqlite3"), "--content", str(content), "--layouts", LAYOUTS, "--jobs", "1",
               "--quiet", "--yes", *extra)


def edit(path, old: str, new: str) -> None:
    before = path.read_text(encoding="utf-8")
    assert old in before, (path, old)
    path.write_text(before.replace(old, new, 1), encoding="utf-8")


def shown(path) -> str:
    return normalized(text(path.read_bytes()))


# -- the approved text, by hash ---------------------------------------------------------------------------------


def test_the_hash_ignores_how_a_file_is_saved_but_not_a_word():
    body = "\nCall us at {{ clinic.phone }}.\n\n- [ ] Café\n"
    digest = text_sha256("Title", body)
    assert len(digest) == 64
    assert text_sha256("Title", body.replace("\n", "\r\n")) == digest  # CRLF
    assert text_sha256("Title", body.replace("us at", "us at  ").replace("\n", " \t\n")) != digest  # inside a line
    assert text_sha256("Title", body.replace("\n", "  \n")) == digest  # trailing spaces
    assert text_sha256("Title", "\n\n" + body + "\n\n") == digest  # blank lines around the body
    assert text_sha256("Title", body.replace("Café", "Cafe\u0301")) == digest  # NFC
    assert text_sha256("Title", body.replace("phone", "after_hours_phone")) != digest
    assert text_sha256("Title", body.replace("[ ]", "[x]")) != digest
    assert text_sha256("Other title", body) != digest


def test_approve_rewrites_only_the_sign_off_lines(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOUTS_TODAY", "2026-11-24")
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    path = content / "infusion-day-checklist.md"
    # CRLF line endings, a BOM and a comment after the status: all of it kept.
    original = path.read_text(encoding="utf-8").replace("status: draft\n", "status: draft   # until reviewed\n")
    original = "\ufeff" + original.replace("\n", "\r\n")
    path.write_bytes(original.encode("utf-8"))
    code, out, err = run(capsys, "approve", "infusion-day-checklist", "--by", "Dr. O'Neil: Pain #1",
                         "--content", str(content))
    assert code == 0, err
    assert "Approved infusion-day-checklist" in out and "2026-11-24" in out
    after = path.read_bytes().decode("utf-8")
    old_lines, new_lines = original.split("\r\n"), after.split("\r\n")
    digest = ContentLibrary(content).load("infusion-day-checklist").text_sha256
    added = ['reviewed_by: "Dr. O\'Neil: Pain #1"', "reviewed_on: 2026-11-24", f'approved_sha256: "{digest}"']
    at = old_lines.index("status: draft   # until reviewed")
    assert new_lines == [*old_lines[:at], "status: approved   # until reviewed", *added, *old_lines[at + 1:]]
    signed = sign_off(ContentLibrary(content), "infusion-day-checklist")
    assert signed.approved and signed.source.reviewed_by == "Dr. O'Neil: Pain #1"
    # Approving again (a later review) rewrites the same lines in place: nothing is added twice.
    monkeypatch.setenv("HANDOUTS_TODAY", "2026-12-01")
    assert run(capsys, "approve", str(path), "--by", "Dr. B", "--content", str(content))[0] == 0
    again = path.read_bytes().decode("utf-8").split("\r\n")
    assert len(again) == len(new_lines) and "reviewed_on: 2026-12-01" in again and "reviewed_by: Dr. B" in again


def test_approving_an_edition_records_the_english_it_was_checked_against(capsys, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    code, out, err = run(capsys, "approve", "infusion-day-checklist", "_packet", "--language", "es",
                         "--by", "Dra. Eva Prueba", "--content", str(content))
    assert code == 0, err
    assert "Approved es/infusion-day-checklist" in out and "Approved es/_packet" in out
    library = ContentLibrary(content)
    edition = library.load("infusion-day-checklist", "es")
    assert edition.source_sha256 == library.load("infusion-day-checklist").text_sha256
    assert sign_off(library, "infusion-day-checklist", "es").approved
    assert not sign_off(library, "infusion-day-checklist").approved  # the English is another document's sign-off


def test_approve_refuses_an_edition_translated_from_an_older_english(capsys, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    edit(content / "infusion-day-checklist.md", "Check each box when it is done.", "Tick each box when it is done.")
    before = (content / "es" / "infusion-day-checklist.md").read_bytes()
    code, _, err = run(capsys, "approve", "--all", "--language", "es", "--by", "Dra. Eva Prueba",
                       "--content", str(content))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "English source changed since this edition was translated" in err and "source_hash" in err
    assert (content / "es" / "infusion-day-checklist.md").read_bytes() == before  # none written: all or nothing
    assert not sign_off(ContentLibrary(content), "_packet", "es").approved


@pytest.mark.parametrize("args, words", [
    (["nope", "--by", "Dr. A"], "unknown document 'nope'"),
    (["infusion-day-checklist", "--by", "  "], "the reviewer's name is empty"),
    (["--by", "Dr. A"], "name the documents to approve, or pass --all"),
    (["infusion-day-checklist", "--all", "--by", "Dr. A"], "not both"),
    (["--all", "--language", "vi", "--by", "Dr. A"], "there are no 'vi' editions"),
    (["infusion-day-checklist", "--language", "vi", "--by", "Dr. A"], "no vi edition of 'infusion-day-checklist'"),
])
def test_approve_mistakes_are_one_line(capsys, tmp_path, args, words):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    code, _, err = run(capsys, "approve", *args, "--content", str(content))
    assert code == 2 and words in err
    assert not sign_off(ContentLibrary(content), "infusion-day-checklist").approved


def test_the_shipped_content_is_not_approved_yet(project):
    """No clinician has reviewed the shipped documents: every one, in every language, is a draft."""
    from handouts.load.signoff import everything

    assert [(name, language) for name, language in everything(project.content)
            if sign_off(project.content, name, language).approved] == []


# -- send refuses drafts as packets does ------------------------------------------------------------------------


def test_send_refuses_a_draft_and_allow_draft_writes_drafts_only(capsys, tmp_path, write_roster):
    roster = write_roster([ROWS[0]], header=HEADER)
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)  # drafts, as shipped
    shutil.copy(CLINIC, content / "clinic.yaml")
    code, _, err = send(capsys, tmp_path, roster, content)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "'_packet' is a draft, not approved for patients" in err and "--allow-draft" in err
    assert "handouts approve" in err
    assert not (tmp_path / "outbox").exists() and not (tmp_path / "ledger.sqlite3").exists()
    code, _, err = send(capsys, tmp_path, roster, content, "--allow-draft", "--smtp", "mail.lakeside-pain.test")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--allow-draft" in err and "--smtp" in err
    assert not (tmp_path / "ledger.sqlite3").exists()
    code, out, err = send(capsys, tmp_path, roster, content, "--allow-draft")
    assert code == 0, err
    assert out.strip().endswith("drafted 1") and len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_send_refuses_a_draft_email(capsys, tmp_path, roster, content):
    edit(content / "_email.md", "status: approved", "status: draft")
    code, _, err = send(capsys, tmp_path, roster, content)
    assert code == 2 and "'_email' is a draft" in err and not (tmp_path / "outbox").exists()


def test_a_document_edited_after_approval_is_a_draft_again(capsys, tmp_path, roster, content):
    path = content / "fibromyalgia-ketamine.md"
    edit(path, "## On infusion day", "## On the day of your infusion")
    code, _, err = packets(capsys, tmp_path, roster, content)
    assert code == 2 and len(err.strip().splitlines()) == 1 and not (tmp_path / "out").exists()
    assert f"'fibromyalgia-ketamine' changed since it was approved on {REVIEW_DAY.isoformat()}" in err
    code, _, err = send(capsys, tmp_path, roster, content)
    assert code == 2 and "'fibromyalgia-ketamine' changed since it was approved" in err
    code, out, _ = run(capsys, "lint", "--content", str(content), "--layouts", LAYOUTS)
    assert code == 1
    assert "status: fibromyalgia-ketamine: draft again: it changed since it was approved on 2026-11-20" in out
    finding = re.search(rf"{re.escape(str(path))}:(\d+): fibromyalgia-ketamine changed since it was approved on "
                        r"2026-11-20: it counts as a draft; review it and run 'handouts approve "
                        r"fibromyalgia-ketamine", out)
    assert finding and path.read_text(encoding="utf-8").splitlines()[int(finding[1]) - 1].startswith("status:")
    # The Spanish edition was approved against the English as it was: it is out of date now, and lint says so.
    assert "es/fibromyalgia-ketamine was approved on 2026-11-20 against an earlier English text" in out
    # Reviewed and approved again: the English is usable again.
    assert run(capsys, "approve", "fibromyalgia-ketamine", "--by", REVIEWER, "--content", str(content))[0] == 0
    assert "status: fibromyalgia-ketamine: approved" in run(
        capsys, "lint", "--content", str(content), "--layouts", LAYOUTS)[1]


def test_a_document_marked_approved_by_hand_is_a_draft(capsys, tmp_path, roster, content):
    path = content / "infusion-day-checklist.md"
    path.write_text(re.sub(r'approved_sha256: "[0-9a-f]+"\n', "", path.read_text(encoding="utf-8")), encoding="utf-8")
    code, _, err = packets(capsys, tmp_path, roster, content)
    assert code == 2 and "has no approved_sha256" in err
    code, out, _ = run(capsys, "lint", "--content", str(content), "--layouts", LAYOUTS)
    assert code == 1 and "infusion-day-checklist says 'status: approved' but has no approved_sha256" in out
    assert "handouts approve infusion-day-checklist" in out


# -- editions: approved against the English as it is now -----------------------------------------------------------


def test_a_draft_spanish_edition_refuses_its_row(capsys, tmp_path, roster, content):
    edit(content / "es" / "infusion-day-checklist.md", "status: approved", "status: draft")
    code, out, err = packets(capsys, tmp_path, roster, content)
    assert code == 1, err
    assert [p.name for p in sorted((tmp_path / "out").glob("*.pdf"))] == ["P1_2026-12-03.pdf"]
    (line,) = [line for line in err.splitlines() if "row 3" in line]
    assert "row 3 (patient_id P2): language:" in line
    assert "the Spanish (es-US) edition of 'infusion-day-checklist' is a draft" in line
    assert "--fallback-to-english" in line and "handouts approve infusion-day-checklist --language es" in line
    code, out, err = send(capsys, tmp_path, roster, content)
    assert code == 1 and "row 3 (patient_id P2): language:" in err and "drafted 1" in out


def test_an_edition_older_than_its_english_refuses_its_row_or_falls_back(capsys, tmp_path, roster, content):
    # The English changes and is reviewed again; the Spanish translation still says what the English said before.
    edit(content / "infusion-day-checklist.md", "Check each box when it is done.", "Tick each box when it is done.")
    assert run(capsys, "approve", "infusion-day-checklist", "--by", REVIEWER, "--content", str(content))[0] == 0
    code, _, err = packets(capsys, tmp_path, roster, content)
    assert code == 1 and not (tmp_path / "out" / "P2_2026-12-03.pdf").exists()
    assert ("the Spanish (es-US) edition of 'infusion-day-checklist' was approved on 2026-11-20 against an earlier "
            "English text") in err
    code, out, err = packets(capsys, tmp_path, roster, content, "--fallback-to-english")
    assert code == 0, err
    assert ("the Spanish (es-US) edition of 'infusion-day-checklist' was approved on 2026-11-20 against an earlier "
            "English text: 1 row(s) get their packet in English instead (row 3") in out
    english = shown(tmp_path / "out" / "P2_2026-12-03.pdf")
    assert "Your appointment packet" in english and "Tick each box" in english and "Página" not in english


def test_the_clinics_own_instruction_without_a_translation_refuses_the_spanish_row(capsys, tmp_path, roster,
                                                                                   content):
    from conftest import load_profile

    from handouts.load.profile import sentences_digest

    clinic = content / "clinic.yaml"
    before = sentences_digest(load_profile(clinic))
    edit(clinic, "before_visit_eating: Call us at (512) 413-2270 to ask what you may eat and drink.",
         "before_visit_eating: Eat a light breakfast.")
    edit(clinic, "    before_visit_eating: Llámenos al (512) 413-2270 para preguntar qué puede comer y beber.\n", "")
    code, _, err = packets(capsys, tmp_path, roster, content)
    assert code == 1, err
    assert (tmp_path / "out" / "P1_2026-12-03.pdf").exists() and not (tmp_path / "out" / "P2_2026-12-03.pdf").exists()
    (line,) = [line for line in err.splitlines() if "row 3" in line]
    assert "'before_visit_eating' in English but not in Spanish (es-US)" in line and "translations: es:" in line
    # Translated, but from the English as it was: the translations must be checked against the English as it is.
    edit(clinic, "  es:\n", "  es:\n    before_visit_eating: Coma un desayuno ligero.\n")
    code, _, err = packets(capsys, tmp_path, roster, content)
    assert code == 1, err
    (line,) = [line for line in err.splitlines() if "row 3" in line]
    now = sentences_digest(load_profile(clinic))
    assert "Spanish (es-US) sentences were not translated from its English ones as they are now" in line
    assert f'source_hash: "{now}"' in line
    # Checked, the Spanish packet carries the clinic's own words.
    edit(clinic, f'source_hash: "{before}"', f'source_hash: "{now}"')
    code, _, err = packets(capsys, tmp_path, roster, content)
    assert code == 0, err
    spanish = shown(tmp_path / "out" / "P2_2026-12-03.pdf")
    assert "Coma un desayuno ligero." in spanish and "Eat a light breakfast" not in spanish


def test_a_draft_edition_is_allowed_with_a_note_while_the_profile_is_the_sample(capsys, tmp_path, roster, content):
    shutil.copy(REPO / "content" / "clinic.yaml", content / "clinic.yaml")
    edit(content / "es" / "_packet.md", "status: approved", "status: draft")
    code, out, err = packets(capsys, tmp_path, roster, content)
    assert code == 0, err
    assert "the Spanish (es-US) edition of '_packet' is a draft, not approved for patients; used for 1 row(s) " \
           "because the clinic profile is the sample" in out
    assert "Información para su cita" in shown(tmp_path / "out" / "P2_2026-12-03.pdf")


def test_allow_draft_lets_a_draft_edition_through(capsys, tmp_path, roster, content):
    edit(content / "es" / "fibromyalgia-ketamine.md", "status: approved", "status: draft")
    code, _, err = packets(capsys, tmp_path, roster, content, "--allow-draft")
    assert code == 0, err
    assert "Información para su cita" in shown(tmp_path / "out" / "P2_2026-12-03.pdf")


# -- lint --------------------------------------------------------------------------------------------------------


def test_lint_lists_every_edition(capsys):
    code, out, _ = run(capsys, "lint", "--content", str(REPO / "content"), "--layouts", LAYOUTS)
    assert code == 1  # the sample profile
    statuses = [line for line in out.splitlines() if line.startswith("status: ")]
    for name in ("infusion-day-checklist", "fibromyalgia-ketamine", "_packet", "_email"):
        assert f"status: {name}: draft, not reviewed" in statuses
        assert f"status: es/{name}: draft, not reviewed" in statuses
    assert len(statuses) == 8


# -- the clinic profile: unknown keys -------------------------------------------------------------------------------


def test_a_misspelt_profile_key_is_an_error_with_the_key_meant(capsys, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    clinic = content / "clinic.yaml"
    lines = clinic.read_text(encoding="utf-8").splitlines()
    clinic.write_text("\n".join([*lines, "safety_drivng: Someone else must drive you home.", ""]), encoding="utf-8")
    code, _, err = run(capsys, "lint", "--content", str(content), "--layouts", LAYOUTS)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"{clinic}:{len(lines) + 1}: unknown key 'safety_drivng'" in err
    assert "did you mean 'safety_driving'?" in err


def test_every_key_the_profile_has_is_allowed(tmp_path):
    from conftest import load_profile

    path = tmp_path / "clinic.yaml"
    # The fictional clinic's profile has every sentence and their translations; with the other keys too:
    path.write_text("sample: false\nroster:\n  columns:\n    patient_id: MRN\n  date_format: MM/DD/YYYY\n"
                    + CLINIC.read_text(encoding="utf-8"), encoding="utf-8")
    profile = load_profile(path)
    assert profile["before_visit_bring"] == "Call us at (512) 413-2270 to ask what to bring."
    lines = CLINIC.read_text(encoding="utf-8").splitlines()
    assert lines[-1].startswith("    before_visit_bring:")  # the last line is under 'translations: es:'
    path.write_text(CLINIC.read_text(encoding="utf-8") + "    before_visit_eatin: X\n", encoding="utf-8")
    from conftest import raised

    finding = raised(load_profile, path).finding
    assert (finding.rule, finding.line, finding.key) == ("profile-unknown-key", len(lines) + 1, "before_visit_eatin")
    assert "did you mean 'before_visit_eating'?" in finding.hint
