"""CSV chunks: the BOM and header first, then rows a chunk at a time (a large export is never
held whole), and the CSV quoting of Chinese text with commas and quotes."""

from __future__ import annotations

import csv
import io

from webapp.pages.audit.export import BOM
from webapp.pages.audit.export import csv_chunks


def test_rows_come_in_chunks_after_the_bom_and_header() -> None:
    rows = ([str(n), f"第{n}件"] for n in range(450))
    chunks = list(csv_chunks(["序号", "标题"], rows, per_chunk=200))
    assert len(chunks) == 1 + 3  # header, 200, 200, 50
    assert chunks[0] == BOM + "序号,标题\r\n"
    parsed = list(csv.reader(io.StringIO("".join(chunks).removeprefix(BOM), newline="")))
    assert parsed[0] == ["序号", "标题"] and len(parsed) == 451 and parsed[-1] == ["449", "第449件"]


def test_text_with_commas_quotes_and_newlines_round_trips() -> None:
    row = ["王五，李四", '他说"同意"', "第一行\n第二行"]
    text = "".join(csv_chunks(["a", "b", "c"], [row])).removeprefix(BOM)
    assert list(csv.reader(io.StringIO(text, newline="")))[1] == row


def test_an_empty_export_is_the_header_alone() -> None:
    assert list(csv_chunks(["编号"], [])) == [BOM + "编号\r\n"]
