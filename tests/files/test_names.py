from datetime import datetime

import pytest

from handouts.files.names import collision_key, packet_filename

WHEN = datetime(2026, 12, 3, 9, 30)


@pytest.mark.parametrize("patient_id", ["../../etc/passwd", "a/b\\c", "..", ".hidden", "id\x00\x1b[31m",
                                        "x" * 500, "CON", "名前", " "])
def test_names_are_safe(patient_id):
    name = packet_filename(patient_id, WHEN)
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert name.isascii() and name.isprintable() and len(name) <= 84
    assert name.endswith("_2026-12-03.pdf")


def test_plain_ids_are_kept_and_deterministic():
    assert packet_filename("P001", WHEN) == "P001_2026-12-03.pdf"
    assert packet_filename("P 001", WHEN) == packet_filename("P 001", WHEN)


def test_ids_that_clean_alike_stay_unique():
    names = {packet_filename(pid, WHEN) for pid in ("P-001", "P/001", "P 001", "P:001")}
    assert len(names) == 4


def test_name_only_when_asked():
    assert "Smith" not in packet_filename("P1", WHEN)
    assert "Jack-Smith" in packet_filename("P1", WHEN, "Jack Smith")


@pytest.mark.parametrize("patient_id", ["CON.txt", "nul.", "COM1.x", "a.b"])
def test_no_name_has_a_dot_before_its_extension(patient_id):
    """The part before the first dot can never be a Windows device name, nor hide the file."""
    name = packet_filename(patient_id, WHEN)
    assert name.count(".") == 1 and name.endswith(".pdf")


def test_ids_that_differ_only_in_case_share_a_collision_key():
    first, second = packet_filename("p1", WHEN), packet_filename("P1", WHEN)
    assert first != second and collision_key(first) == collision_key(second)


def test_a_far_past_year_keeps_four_digits():
    assert packet_filename("P1", datetime(1, 2, 3, 4, 5)).endswith("_0001-02-03.pdf")
