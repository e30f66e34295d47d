"""Documents and pages read as words, and print well (issue 13 item 6): no raw keys or codes — unit
names instead of unit codes, option titles instead of option codes, server values in words —; no
page that holds only the audit block; the 审批单's diagram printed on landscape sheets with labels
of at least 7 pt (measured in the PDF with pdftotext -bbox)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from typing import Any

from pypdf import PdfReader

from tests.integration.documents.conftest import download
from tests.integration.documents.conftest import flat
from tests.integration.documents.conftest import pdf_text
from workflows.labels import SERVER_FIELD_TITLES

UNIT_CODES = re.compile(r"(?<![A-Za-z0-9_-])S[0-9]+(?![0-9_])")
OPTION_CODES = ("condolence", "supplies", "hardship", "frontline_medical", "organization", "goods", "cash", "adopted")
SEAL = ("审计链头", "用审计导出文件与密钥可离线校验")


class _Text(HTMLParser):
    """The text a reader sees on a page (no script, style or drawing)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style", "svg", "template")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style", "svg", "template")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def raw_codes(text: str) -> list[str]:
    """Unit codes, option codes and server field names found in `text`."""
    words = set(re.findall(r"[A-Za-z_]+", text))
    return UNIT_CODES.findall(text) + [c for c in OPTION_CODES if c in words] + sorted(words & set(SERVER_FIELD_TITLES))


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def content_lines(page: str) -> list[str]:
    """A page's lines without the footer (print line, page number) and the audit block."""
    return [line for line in page.splitlines() if line.strip() and "第" not in line.split("打印时间")[-1][-12:]
            and not line.startswith(SEAL) and not re.fullmatch(r"[0-9a-f]{64}", line.strip())]


def label_sizes(pdf: bytes, page: int) -> list[float]:
    """The printed size (pt) of each all-CJK word on a page: a CJK glyph is one em wide (or tall,
    in the lanes' turned captions)."""
    out = subprocess.run([shutil.which("pdftotext") or "pdftotext", "-f", str(page), "-l", str(page), "-bbox", "-", "-"],
                         input=pdf, capture_output=True, check=True).stdout.decode()
    words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>', out)
    return [max(float(x1) - float(x0), float(y1) - float(y0)) / len(w) for x0, y0, x1, y1, w in words
            if all("\u4e00" <= c <= "\u9fff" for c in w)]


def test_the_dues_documents_name_units_and_uses_and_state_server_values_in_words(
        web: Any, fund: dict[str, Any]) -> None:
    officer = web("zhaomin")
    for kind in ("approval", "dues_notice", "dues_ledger"):
        text = pdf_text(download(officer, f"/cases/{fund['id']}/documents/{kind}.pdf"))
        assert raw_codes(text) == [], (kind, raw_codes(text))
    text = flat(pdf_text(download(officer, f"/cases/{fund['id']}/documents/approval.pdf")))
    for value in ("接收单位钢铁股份公司党委医院党委", "各单位分配额钢铁股份公司党委：120,000.00元医院党委：200,000.00元",
                  "拨付明细钢铁股份公司党委：120,000.00元（党费拨〔2020〕1号）", "规定用途慰问一线医务人员和基层党员干部防控药品和物资",
                  "接收党组织金额（元）用途", "钢铁股份公司党委100000.00"):
        assert value in text, value


def test_the_case_page_shows_no_codes_to_the_officer_or_the_recipient(web: Any, fund: dict[str, Any]) -> None:
    for user in ("zhaomin", "s1_03"):
        page = visible_text(web(user).page(f"/cases/{fund['id']}"))
        assert raw_codes(page) == [], (user, raw_codes(page))
        assert "钢铁股份公司党委：120,000.00 元" in page and "慰问一线医务人员和基层党员干部" in page


def test_no_page_of_a_document_holds_only_the_audit_block(
        web: Any, fund: dict[str, Any], promotion: dict[str, Any]) -> None:
    officer, reader = web("zhaomin"), web("s1_03")
    printed = {kind: download(officer, f"/cases/{fund['id']}/documents/{kind}.pdf")
               for kind in ("approval", "dues_notice", "dues_ledger")}
    printed |= {kind: download(reader, f"/cases/{promotion['id']}/documents/{kind}.pdf")
                for kind in ("approval", "appointment")}
    for kind, pdf in printed.items():
        for number, page in enumerate(pages(pdf), 1):
            assert len(content_lines(page)) >= 3, (kind, number, page)
    ledger = pages(printed["dues_ledger"])
    # The last recipient's table moves to the second page with the audit block.
    assert len(ledger) == 2 and "医院党委　支出明细" in ledger[1] and SEAL[0] in ledger[1]


def test_the_approval_sheets_diagram_prints_on_landscape_sheets_with_labels_of_7_pt(
        web: Any, promotion: dict[str, Any]) -> None:
    pdf = download(web("s1_03"), f"/cases/{promotion['id']}/documents/approval.pdf")
    reader = PdfReader(io.BytesIO(pdf))
    sheets = [n for n, page in enumerate(reader.pages, 1) if "流程图（" in page.extract_text()]
    # cadre_promotion is 5,204 × 1,004 units: 5 columns × 2 rows at 0.25 mm a unit.
    assert len(sheets) == 10 and flat("第 10 幅 / 共 10 幅（第 2 行第 5 列）") in flat(pdf_text(pdf))
    for number in sheets:
        box = reader.pages[number - 1].mediabox
        assert box.width > box.height, number
        sizes = label_sizes(pdf, number)
        assert len(sizes) > 5 and min(sizes) >= 7.0, (number, min(sizes))
