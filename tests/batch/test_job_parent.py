"""What the print job's parent holds across packets (`printjob.SentToJob`, `_StreamingWriter._held`): over a roster
made to trip it up (test_job_memo's: names of equal length a letter apart, other scripts, both languages, every
layout, document subsets), the job made with entries held is the job made without, byte for byte, whichever worker
makes which packet; nothing the parent keeps past a packet shows any row's value; only a kept plan's entries are
held; a template renumbers as the markers' own substitution does; and an entry the job does not hold is refused."""

import pickle
import random

import pytest
from hostile_roster import ROWS, rendered_twice_or_more
from test_job_memo import _values

from handouts.batch import printjob
from handouts.batch.printjob import KEPT_READS, PrintJob, SentToJob, fragment_of
from handouts.errors import InternalError
from handouts.render import _reportlab


@pytest.fixture(scope="module")
def packets(project):
    """Each row three times, as a worker renders it (later rounds written from kept files), with no print job."""
    return rendered_twice_or_more(project, 3)


def _shares(packets, workers: int = 1, hold: bool = True, most: int = 24 << 20) -> list:
    """Each packet's share, in roster order, packet i made by worker i % `workers` (each its own run's state, as
    `RenderWork.start` makes it), through pickle as the pool hands it over; `hold`: a worker's state (SentToJob), or a
    plain set as before holding."""
    KEPT_READS.clear()
    sent = [SentToJob(most) if hold else set() for _ in range(workers)]
    return [pickle.loads(pickle.dumps(fragment_of(pdf, sent[i % workers]), pickle.HIGHEST_PROTOCOL))
            for i, pdf in enumerate(packets)]


def _job(tmp_path, name, fragments) -> tuple[bytes, printjob._StreamingWriter]:
    with PrintJob(tmp_path / name) as job:
        for i, fragment in enumerate(fragments):
            job.add(f"P{i + 2} (2026-12-03 09:30)", fragment)
        job.finish()
    return (tmp_path / name).read_bytes(), job._writer


def _held_refs(fragments) -> int:
    """Entries named by their id: one by one, or as a group's (by the group's id, once the job holds the group)."""
    groups = {f.group[0]: f.group for f in fragments if f.group.__class__ is tuple}
    grouped = sum(len(groups[f.group][1]) for f in fragments if f.group.__class__ is bytes)
    return grouped + sum(entry.__class__ is bytes for fragment in fragments for entry in fragment.objects)


def _grouped(fragments) -> int:
    return sum(f.group is not None for f in fragments)


def test_a_job_made_holding_entries_is_the_job_made_without(packets, tmp_path):
    assert sum(bool(pdf.objects.kept) for pdf in packets) >= 2 * len(ROWS)  # most written from a kept file
    without, _ = _job(tmp_path, "without.pdf", _shares(packets, hold=False))
    for workers in (1, 2, 3):
        shares = _shares(packets, workers)
        assert _held_refs(shares) > len(packets) * 50  # used: most entries of a packet from a kept file go by id
        forms = {f.group.__class__ for f in shares if f.group is not None}
        assert forms == {tuple, bytes} and _grouped(shares) >= len(packets) // 4  # whole once, then by id
        made, writer = _job(tmp_path, f"held{workers}.pdf", shares)
        assert writer._held and writer._groups
        assert made == without, f"{workers} worker(s)"
    # and with the memo off (nothing planned once a kept file, so nothing held) the job is the same
    KEPT_READS.enabled = False
    try:
        plain = _shares(packets, 2)
    finally:
        KEPT_READS.enabled = True
    assert _held_refs(plain) == 0 and not any(len(e) == 4 for f in plain for e in f.objects if e)
    assert _job(tmp_path, "memo-off.pdf", plain)[0] == without


def test_a_held_share_is_smaller(packets):
    later = slice(len(ROWS), None)  # the rounds written from kept files, after the first
    held = sum(map(len, map(pickle.dumps, _shares(packets)[later])))
    whole = sum(map(len, map(pickle.dumps, _shares(packets, hold=False)[later])))
    assert held < whole / 2


def test_the_bound_sends_entries_whole_and_the_job_is_the_same(packets, tmp_path):
    without, _ = _job(tmp_path, "without.pdf", _shares(packets, hold=False))
    bounded = _shares(packets, 2, most=20_000)
    made, writer = _job(tmp_path, "bounded.pdf", bounded)
    assert made == without
    assert 0 < sum(len(t.head) + len(t.tail) for t in writer._held.values()) <= 2 * 20_000
    assert any(len(entry) == 3 and entry[0] is None for f in bounded for entry in f.objects if entry.__class__ is tuple)


def test_nothing_the_parent_keeps_shows_a_patient(packets, tmp_path):
    _, writer = _job(tmp_path, "job.pdf", _shares(packets, 2))
    forms = {form: value for row in ROWS for value in _values(row) for form in _reportlab.written_forms(value)}
    kept = [data for template in writer._held.values() for data in (template.head, template.tail, template.template,
                                                                     template.whole())]
    assert writer._groups
    for group in writer._groups.values():
        kept += [*group.content[2], *group.content[4]]
        kept += [made for formats in group._formats.values() for made, _ in formats or ()]
    kept += [*writer._held, *writer._shared, writer._form_resources, writer._last_box, writer._language.encode(),
             *(label.encode() for label, _ in writer._bookmarks)]
    assert kept and not [value for form, value in forms.items() for data in kept if form in data]


def test_only_a_kept_plans_entries_are_held(packets):
    shares = _shares(packets, 2)
    planned = {(head, tail) for plan in KEPT_READS._plans.values() for key, head, tail in plan.entries.values()
               if key is None}
    to_hold = [entry for fragment in shares for entry in fragment.objects if entry.__class__ is tuple
               and len(entry) == 4]
    assert to_hold and all((head, tail) in planned for _, head, tail, _ in to_hold)
    # a packet rendered whole holds nothing
    whole = [pdf for pdf in packets if not pdf.objects.kept]
    assert whole
    sent = SentToJob()
    assert not any(len(e) == 4 or e.__class__ is bytes for pdf in whole for e in fragment_of(pdf, sent).objects if e)
    assert not sent.held


def test_a_template_renumbers_as_the_markers_substitution_does(packets):
    heads = [template for template in {e[1] for f in _shares(packets) for e in f.objects if e.__class__ is tuple}]
    heads += [b"<< /A 3\x01 /B [\x00K0\x00 \x00K2\x00] /T (50% \x00N\x00) /P \x00P\x00 /D \x00D\x00 /E 0\x01 >>",
              b"[1\x01 2\x01 3\x01 %% %d %s]", b"<< /Type /Font >>", b"[\x00K1\x00]"]
    pick = random.Random(24)
    for head in heads:
        template = printjob._Template(head, b"")
        numbers = [0] + [pick.randrange(1, 10**7) for _ in range(template.most + 3)]
        first_key, entries, pages, document, name = pick.randrange(10**6), template.keys + 2, 7, 8, b"<FEFF0070>"
        markers = {b"P": b"%d 0 R" % pages, b"D": b"%d 0 R" % document, b"N": name}

        def job_value(found):
            if found[1] is None:
                return b"%d 0 R" % numbers[int(found[3])]
            return b"%d" % (first_key + int(found[2])) if found[1] == b"K" else markers[found[1]]

        values = numbers + [first_key + key for key in range(entries - 1, -1, -1)] + [name, document, pages]
        assert template.keys <= entries and template.most < len(numbers)
        made = template.template % template.values(values) if template.values else template.template
        assert made == printjob._MARKER.sub(job_value, head)


def test_an_entry_the_job_does_not_hold_is_refused(packets, tmp_path):
    shares = _shares(packets)
    assert _held_refs(shares[1:]) > 0
    with pytest.raises(InternalError, match="does not hold"):
        _job(tmp_path, "short.pdf", shares[len(ROWS):])  # the packets that sent them never reached this job
    assert not (tmp_path / "short.pdf").exists()


def test_a_group_written_entry_by_entry_is_the_same(packets, tmp_path, monkeypatch):
    """A group whose templates the job cannot fill for a packet is written entry by entry (`_Group.expanded`): the
    same bytes as the group's own path and as no group at all."""
    without, _ = _job(tmp_path, "without.pdf", _shares(packets, hold=False))
    shares = _shares(packets, 2)
    monkeypatch.setattr(printjob._Group, "formats", lambda group, entries: None)
    expanded, writer = _job(tmp_path, "expanded.pdf", shares)
    assert writer._groups and expanded == without


def test_a_grouped_share_names_only_the_packets_own_objects(packets):
    """A share that names its plan's group by id carries no entry of the group: only the packet's own objects and what
    they reach, each once."""
    shares = _shares(packets)
    groups = {f.group[0]: f.group for f in shares if f.group.__class__ is tuple}
    by_id = [f for f in shares if f.group.__class__ is bytes]
    assert by_id
    for fragment in by_id:
        _, held, _, shared, _ = groups[fragment.group]
        assert not any(fragment.objects[local - 1] for local in (*held, *shared))
        assert sum(entry is not None for entry in fragment.objects) < len(held) // 4


# What the job and a worker keep across a run's packets (so across patients), and why it shows no patient's value.
REVIEWED_IN_A_RUN = {
    "_StreamingWriter._shared": "job numbers by the digest of objects every packet holds the same (fonts, their files)",
    "_StreamingWriter._held": "entries of a kept plan (made from kept objects alone), by their id, compiled",
    "_StreamingWriter._groups": "a kept plan's entries as one group: held ids and shared keys, compiled (_Group)",
    "SentToJob.held": "the ids of the entries this worker asked the job to hold",
    "SentToJob.groups": "the ids of the kept plans' groups this worker sent the job",
}


def test_what_a_run_keeps_across_packets_is_reviewed(packets, tmp_path):
    _, writer = _job(tmp_path, "job.pdf", _shares(packets, 2))
    sent = SentToJob()
    found = {f"_StreamingWriter.{name}" for name, value in vars(writer).items() if isinstance(value, (dict, set))}
    found |= {f"SentToJob.{name}" for name, value in vars(sent).items() if isinstance(value, (dict, set))}
    assert found == set(REVIEWED_IN_A_RUN), (
        f"kept across packets, not reviewed: {sorted(found - set(REVIEWED_IN_A_RUN))}; gone: "
        f"{sorted(set(REVIEWED_IN_A_RUN) - found)}. Say why it holds no patient value beside it and here")
