"""Cells of the CSV files handouts writes (the manifest, the ledger export), made safe to open in a spreadsheet."""

from __future__ import annotations

# A spreadsheet runs a cell that starts with one of these as a formula (tab and CR too, in some).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A text cell that starts like a formula gets a leading apostrophe, so it shows as typed; others as they are."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def as_typed(cell: str) -> str:
    """The text `spreadsheet_safe` was given."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] and cell[1:].startswith(FORMULA_STARTS) else cell
