"""Atomic writing: whole files or none, readable by the team, no leftovers."""

import os
import time

import pytest

from handouts.errors import OutputError

from handouts.files.atomic import open_atomically, remove_leftovers, write_atomically


def test_files_get_the_usual_mode_for_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomically(tmp_path / "shared.pdf", b"%PDF-")
    finally:
        os.umask(old)
    assert (tmp_path / "shared.pdf").stat().st_mode & 0o777 == 0o640


def test_a_streamed_file_appears_only_when_complete(tmp_path):
    target = tmp_path / "job.pdf"
    with open_atomically(target) as handle:
        handle.write(b"first half ")
        assert not target.exists()
        handle.write(b"second half")
    assert target.read_bytes() == b"first half second half"
    assert not list(tmp_path.glob(".*.part"))


def test_leftovers_of_a_killed_run_are_removed_but_not_those_being_written(tmp_path):
    old, fresh = tmp_path / ".tmpold.part", tmp_path / ".tmpnew.part"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    assert remove_leftovers(tmp_path) == 1
    assert not old.exists() and fresh.exists()


def test_a_missing_folder_is_made_for_the_file(tmp_path):
    target = tmp_path / "new" / "deeper" / "P001.pdf"
    write_atomically(target, b"%PDF-")
    assert target.read_bytes() == b"%PDF-"
    assert not list(target.parent.glob(".*.part"))


def test_a_folder_that_is_a_file_is_refused_as_a_place_to_write(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"not a folder")
    for target in (blocker / "P001.pdf", blocker / "out" / "P001.pdf"):
        with pytest.raises(OutputError) as raised:
            write_atomically(target, b"%PDF-")
        assert raised.value.finding.rule == "output-unwritable"
    assert blocker.read_bytes() == b"not a folder"


def test_the_part_file_is_private_while_it_is_written(tmp_path):
    with open_atomically(tmp_path / "P001.pdf") as handle:
        handle.write(b"%PDF-")
        (part,) = tmp_path.glob(".*.part")
        assert part.stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".*.part"))
