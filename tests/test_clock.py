"""The two clocks: HANDOUTS_TODAY and SOURCE_DATE_EPOCH, each read in one place and refused when malformed."""

from datetime import date, datetime, timezone

import pytest
from conftest import REPO, raised, run

from handouts import clock


def test_the_day_a_run_counts_from(monkeypatch):
    monkeypatch.setenv("HANDOUTS_TODAY", "2026-12-01")
    assert clock.today() == date(2026, 12, 1)
    monkeypatch.delenv("HANDOUTS_TODAY")
    assert clock.today() == date.today()


def test_the_time_written_into_pdfs_and_emails(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert clock.creation_time() == datetime(2000, 1, 1, tzinfo=timezone.utc)  # fixed: same inputs, same bytes
    assert clock.now().tzinfo is not None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    assert clock.creation_time() == clock.now() == datetime(2025, 12, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("variable, value, rule", [
    ("HANDOUTS_TODAY", "12/01/2026", "today-invalid"),
    ("SOURCE_DATE_EPOCH", "yesterday", "source-date-epoch"),
    ("SOURCE_DATE_EPOCH", "99999999999999999999", "source-date-epoch"),
])
def test_a_malformed_clock_is_refused_in_one_line(capsys, monkeypatch, tmp_path, variable, value, rule):
    monkeypatch.setenv(variable, value)
    reader = clock.today if variable == "HANDOUTS_TODAY" else clock.now
    finding = raised(reader).finding
    assert (finding.source, finding.rule) == (variable, rule) and finding.hint
    command = ["packets", "missing.csv"] if variable == "HANDOUTS_TODAY" else \
        ["build", "--out", str(tmp_path), "--content", str(REPO / "content"), "--layouts", str(REPO / "layouts")]
    code, _, err = run(capsys, *command)
    assert code == 2 and err.startswith(f"error: {variable}: ") and err.count("\n") == 1
    assert not list(tmp_path.rglob("*.pdf"))  # nothing half-made
