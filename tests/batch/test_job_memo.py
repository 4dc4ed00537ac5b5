"""What the print job's copy remembers of a packet's kept objects (`printjob.KEPT_READS`): over a roster made to trip
it up (names of equal length a letter apart, other scripts, both languages, every layout, document subsets), every
packet's share of the job is the share made with nothing remembered, the job is the same file, nothing remembered
shows any row's value in any way the writer writes text, and what is remembered is used."""

import functools
import importlib
import pkgutil
from types import SimpleNamespace

import pytest

import handouts.batch

from handouts.batch import printjob
from handouts.batch.printjob import KEPT_READS, PrintJob, fragment_of
from handouts.render import _reportlab
from handouts.render._reportlab import ContentMemo
from hostile_roster import ROWS, rendered_twice_or_more

# Every per-process cache in batch/ (kept across rows, so across patients), and why it holds no patient's value.
REVIEWED = {
    "printjob.KEPT_READS": "what was read of objects taken from a kept file (WrittenObjects.kept), made from no "
                           "patient value; a packet's own objects and all that depends on them are read afresh",
}

def _values(row) -> set[str]:
    name, preferred, *_ = row
    return {part for part in (name, *name.split(), preferred) if len(part) > 2}


@pytest.fixture(scope="module")
def packets(project):
    """Each row twice, as a worker renders it (the second round written from kept files), with no print job."""
    return rendered_twice_or_more(project, 2)


def _shares(packets, remember: bool) -> list:
    """Each packet's share, in order, as one worker makes them (shared objects sent once), remembering or not."""
    KEPT_READS.clear()
    KEPT_READS.enabled = remember
    try:
        sent: set[bytes] = set()
        return [fragment_of(pdf, sent) for pdf in packets]
    finally:
        KEPT_READS.enabled = True


def _job(tmp_path, name, fragments) -> bytes:
    with PrintJob(tmp_path / name) as job:
        for i, fragment in enumerate(fragments):
            job.add(f"P{i + 2} (2026-12-03 09:30)", fragment)
        job.finish()
    return (tmp_path / name).read_bytes()


def _remembered() -> list[bytes]:
    """Everything the memo holds, as bytes: each object's bytes it is kept by, and what was read of them."""
    held = []
    for body, read in KEPT_READS._made.items():
        held += (body, read.head, read.tail, read.marked or b"", repr(read.entries).encode("latin-1"),
                 repr(read._inner).encode("latin-1"), repr(read._items).encode("latin-1"),
                 repr(read._numbers).encode("latin-1"))
    for (_, objects), plan in KEPT_READS._plans.items():
        held += [body for body in objects if body is not None]
        held += (*plan.heads.values(), *plan.added, *plan.markers.values(), plan.resources, plan.box,
                 plan.language.encode("utf-8"), *(head + tail for _, head, tail in plan.entries.values()))
    return held


def test_a_share_made_remembering_is_the_share_made_afresh(packets, tmp_path):
    assert sum(bool(pdf.objects.kept) for pdf in packets) >= len(ROWS)  # most written from a kept file
    afresh = _shares(packets, remember=False)
    assert not KEPT_READS._made and not KEPT_READS._plans and KEPT_READS.hits == KEPT_READS.plans_used == 0
    remembered = _shares(packets, remember=True)
    for pdf, made, fresh in zip(packets, remembered, afresh):
        assert made == fresh, pdf.objects.kept and "written from a kept file" or "rendered whole"
    # used: a plan made once a kept file, and found again by every later packet written from it
    written_from_kept = sum(bool(pdf.objects.kept) for pdf in packets)
    assert KEPT_READS._plans and KEPT_READS.plans_used == written_from_kept - len(KEPT_READS._plans) >= len(ROWS) // 2
    assert KEPT_READS.hits > 0  # and objects read for one plan found again by another
    assert _job(tmp_path, "remembered.pdf", remembered) == _job(tmp_path, "afresh.pdf", afresh)


def test_nothing_remembered_shows_a_patient(packets):
    _shares(packets, remember=True)
    assert KEPT_READS._made and KEPT_READS._plans
    forms = {form: value for row in ROWS for value in _values(row) for form in _reportlab.written_forms(value)}
    held = _remembered()
    assert not [value for form, value in forms.items() for data in held if form in data]
    # and only objects some packet took from a kept file are remembered, never a packet's own
    kept = {pdf.objects.objects[number - 1] for pdf in packets for number in pdf.objects.kept}
    assert set(KEPT_READS._made) <= kept
    assert {body for _, objects in KEPT_READS._plans for body in objects if body is not None} <= kept


def test_a_packet_rendered_whole_remembers_nothing(packets):
    KEPT_READS.clear()
    whole = [pdf for pdf in packets if not pdf.objects.kept]
    assert whole
    sent: set[bytes] = set()
    for pdf in whole:
        fragment_of(pdf, sent)
    assert not KEPT_READS._made and not KEPT_READS._plans and KEPT_READS.hits == KEPT_READS.plans_used == 0


def test_a_share_that_reads_a_packets_own_object_keeps_no_plan(packets):
    """Were a page, the catalog or the structure tree a packet's own object (not taken from a kept file), what the
    share makes of it is not remembered: the share is made afresh, and the same."""
    pdf = next(pdf for pdf in packets if pdf.objects.kept)
    written = pdf.objects
    catalog = printjob._entries(written.objects[written.root - 1])
    pages = printjob._entries(written.objects[printjob._number(catalog[b"/Pages"]) - 1])
    first_page = printjob._number(printjob._items(pages[b"/Kids"])[0])
    for own in (first_page, written.root):
        KEPT_READS.clear()
        mixed = SimpleNamespace(objects=_reportlab.WrittenObjects(written.objects, written.root, written.kept - {own}))
        assert fragment_of(mixed, set()) == _shares([pdf], remember=False)[0]
        KEPT_READS.clear()
        fragment_of(mixed, set())
        assert not KEPT_READS._plans and written.objects[own - 1] not in KEPT_READS._made


def test_the_memo_is_bounded(packets, monkeypatch):
    monkeypatch.setattr(KEPT_READS, "most", 4096)
    _shares(packets[-3:], remember=True)
    assert KEPT_READS._held <= 4096 + max(2 * len(body) + 256 for body in packets[-1].objects.objects)


def test_every_cache_in_batch_is_reviewed():
    found = set()
    for info in pkgutil.iter_modules(handouts.batch.__path__):
        module = importlib.import_module(f"handouts.batch.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, (functools._lru_cache_wrapper, ContentMemo, printjob.KeptReads)):
                found.add(f"{info.name}.{name}")
    assert found == set(REVIEWED), (
        f"per-process caches in batch/ not reviewed: {sorted(found - set(REVIEWED))}; gone: "
        f"{sorted(set(REVIEWED) - found)}. A cache kept across rows may hold only patient-free data: say why beside "
        "it and in REVIEWED")
