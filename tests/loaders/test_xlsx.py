"""One workbook cell is one text, whether a layout folder or a mapping reads it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from loaders.mapping.sources import read_sheet
from loaders.read import read_xlsx

#: header -> (value written into the workbook, text both readers must give)
CELLS: dict[str, tuple[object, str]] = {
    "date": (dt.date(2019, 3, 5), "2019-03-05"),
    "midnight": (dt.datetime(2019, 3, 5), "2019-03-05"),
    "with_time": (dt.datetime(2019, 3, 5, 8, 30, 15), "2019-03-05T08:30:15"),
    "time": (dt.time(8, 30), "08:30:00"),
    "int": (13800000001, "13800000001"),
    "whole_float": (43529.0, "43529"),
    "float": (2.5, "2.5"),
    "text": ("张 三 ", "张 三 "),
    "flag": (True, "True"),
    "blank": (None, ""),
    "last": ("x", "x"),
}


def test_the_same_cell_gives_the_same_text_through_both_readers(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(CELLS))
    ws.append([value for value, _ in CELLS.values()])
    path = tmp_path / "persons.xlsx"
    wb.save(path)

    layout = read_xlsx(path)
    mapped = read_sheet(path)

    expected = {name: text for name, (_, text) in CELLS.items()}
    assert layout.frame.drop(columns="_line").iloc[0].to_dict() == expected
    assert mapped.cells.iloc[0].to_dict() == expected
    assert layout.frame["_line"].tolist() == mapped.lines == [2]
