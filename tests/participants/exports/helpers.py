"""Helpers for export tests: read a response back as rows."""

import csv
import io

from openpyxl import load_workbook


def response_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[list[str]]:
    data = response_bytes(response)
    assert data.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_rows(response_or_bytes) -> list[list[str]]:
    data = (
        response_or_bytes
        if isinstance(response_or_bytes, bytes)
        else response_bytes(response_or_bytes)
    )
    sheet = load_workbook(io.BytesIO(data)).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"a formula in {cell.coordinate}"
    return [
        ["" if value is None else str(value) for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]


def by_first_column(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row for row in rows[1:]}
