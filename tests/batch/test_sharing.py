"""What packets share holds no patient's value, and each packet holds its own row's values and no other row's.

Over a roster made to trip sharing up (names of equal length, near-identical surnames, other scripts, both
languages, every layout, document subsets, preferred names), every PDF object that two patients' packets have
in common, byte for byte once decompressed, must show no patient value of any row: whatever a batch computes
once and shares must be patient-free (the pages a worker draws once and replays, render/sharing.py, among
them). And a packet made in a batch, after pages replayed from other patients' packets, is byte-identical to
the same packet made alone, in a fresh process.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pikepdf
import pytest
from conftest import REPO, approved_content
from pdfread import reader

# patient_id: (name, preferred name, layout, language, documents)
ROWS = {
    "P01": ("Ana Quorvex", "Nitaq", "standard", "", ""),
    "P02": ("Bea Zyllopa", "Beazu", "large-print", "", ""),
    "P03": ("Eve Quorvel", "Evoq", "large-print", "", ""),  # one letter from P01's surname
    "P04": ("Cal Brintak", "Calix", "extra-large", "", "infusion-day-checklist"),
    "P05": ("Дмитрий Жуковский", "Димуля", "large-print", "es", ""),
    "P06": ("Ελένη Ξανθοπούλου", "", "standard", "es", ""),
    "P07": ("Nguyễn Thị Ửngvân", "Minhu", "extra-large", "", "fibromyalgia-ketamine"),
    "P08": ("José Peñalverde", "Pepín", "extra-large", "es", ""),
    "P09": ("Dov Zyllopo", "Dovix", "standard", "es", "infusion-day-checklist"),
    # Longer than the name's reserve (its documents are laid out for it), and one as long in the same layout: pages
    # that name neither may be replayed from a drawing made for the other.
    "P10": ("Maximiliana Dorfelkovna-Wolkenstein Haverford", "Milo", "large-print", "", ""),
    "P11": ("Rosalindeia Quarrymoore-Ashcombe Thistlewaite", "Rozi", "large-print", "", ""),
}
# What stands for a patient in their packet: each name part and the preferred name (none is a common word).
VALUES = {pid: {part for part in (*name.split(), preferred) if len(part) > 3 and part != "Thị"}
          for pid, (name, preferred, *_rest) in ROWS.items()}
EVERY_VALUE = {value: pid for pid, values in VALUES.items() for value in values}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The roster, and its packets made in one batch with two workers and a print job."""
    folder = tmp_path_factory.mktemp("sharing")
    roster = folder / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["patient_id", "name", "appointment", "preferred_name", "layout", "language", "documents"])
        for i, (pid, (name, preferred, layout, language, documents)) in enumerate(ROWS.items()):
            writer.writerow([pid, name, f"2026-12-0{3 + i % 2} {8 + i % 4:02d}:{15 * (i % 4):02d}", preferred,
                             layout, language, documents])
    return roster, folder / "out"


def _handouts(*args: str) -> subprocess.CompletedProcess:
    """The CLI in a process of its own; what it prints must name no patient."""
    made = subprocess.run([sys.executable, "-m", "handouts", *args, "--quiet", "--content", str(approved_content()),
                           "--layouts", str(REPO / "layouts")], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "HANDOUTS_TODAY": "2026-11-24"})
    assert made.returncode == 0, made.stderr
    assert not _values_in(made.stdout + made.stderr), "the CLI printed a patient value"
    return made


def _made(out: Path) -> dict[str, bytes]:
    manifest = list(csv.DictReader((out / "manifest.csv").open(encoding="utf-8")))
    return {row["patient_id"]: (out / row["file"]).read_bytes() for row in manifest}


@pytest.fixture(scope="module")
def packets(batch):
    roster, out = batch
    _handouts("packets", str(roster), "--out", str(out), "--jobs", "2", "--print-job", str(out / "print.pdf"))
    made = _made(out)
    assert sorted(made) == sorted(ROWS)
    return made


def _readable(obj) -> str:
    """Every string an object holds, decoded as PDF text strings are, one per line."""
    found: list[str] = []

    def walk(item, depth=0):
        if depth > 8:
            return
        if isinstance(item, pikepdf.String):
            found.append(str(item))
        elif isinstance(item, pikepdf.Array):
            for child in item:
                if not getattr(child, "is_indirect", False):
                    walk(child, depth + 1)
        elif isinstance(item, (pikepdf.Dictionary, pikepdf.Stream)):
            for key in item.keys():
                child = item[key]
                if not getattr(child, "is_indirect", False):
                    walk(child, depth + 1)

    walk(obj)
    return "\n".join(found)


def _stream_text(data: bytes) -> str:
    return "\n".join(data.decode(encoding, "ignore") for encoding in ("utf-8", "utf-16-be", "latin-1"))


def _objects(data: bytes):
    """(digest, what a reader can get from it) for every object; a page's content shows as its page's text."""
    page_text = {}
    pdf_pages = reader(data).pages
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for index, page in enumerate(pdf.pages):
            contents = page.obj.get("/Contents")
            for stream in (contents if isinstance(contents, pikepdf.Array) else [contents]):
                if stream is not None:
                    page_text[stream.objgen] = pdf_pages[index].extract_text()
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                body = obj.read_bytes()
                shape = {k: v for k, v in obj.stream_dict.items() if k not in ("/Length", "/Filter")}
                key = body + pikepdf.Dictionary(shape).unparse()
                shown = "\n".join((page_text.get(obj.objgen, ""), _stream_text(body), _readable(obj)))
            else:
                key = obj.unparse(resolved=True) if hasattr(obj, "unparse") else repr(obj).encode()
                shown = _readable(obj)
            yield hashlib.sha256(key).hexdigest(), shown


def _values_in(text: str) -> set[str]:
    squeezed = " ".join(text.split())
    return {value for value in EVERY_VALUE if value in squeezed or value in text}


def test_every_packet_holds_its_own_values_and_no_other_rows(packets):
    for pid, data in packets.items():
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert pdf.Root.Lang in ("en-US", "es-US")
        shown = "\n".join(text for _, text in _objects(data))
        found = _values_in(shown)
        others = {value for value in found if EVERY_VALUE[value] != pid}
        assert not others, f"{pid}'s packet holds another row's value"
        name_parts = {part for part in ROWS[pid][0].split() if part in VALUES[pid]}
        assert name_parts <= found, f"{pid}'s packet is missing its own name"


def test_what_two_patients_packets_share_holds_no_patients_value(packets):
    holders: dict[str, set[str]] = defaultdict(set)
    shown: dict[str, str] = {}
    for pid, data in packets.items():
        for digest, text in _objects(data):
            holders[digest].add(pid)
            shown[digest] = text
    shared = [digest for digest, pids in holders.items() if len(pids) > 1]
    assert len(shared) > 20  # fonts, pages and structure that show no patient value are the same in every packet
    leaking = {digest[:12]: sorted(_values_in(shown[digest])) for digest in shared if _values_in(shown[digest])}
    assert not leaking, f"objects shared between patients hold patient values: {leaking}"


def test_a_packet_from_the_batch_is_the_same_made_alone_in_a_fresh_process(batch, packets, tmp_path):
    roster, _ = batch
    for pid in ("P02", "P05", "P07", "P11"):
        _handouts("packets", str(roster), "--id", pid, "--out", str(tmp_path / pid), "--jobs", "1")
        assert _made(tmp_path / pid) == {pid: packets[pid]}, pid
