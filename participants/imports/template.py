"""The downloadable template: every column the import reads, and one example row."""

import csv
import io

from participants.imports.reading import COLUMNS
from participants.models import Community, Sector

EXAMPLE = {
    "full_name": "Eleni Charalambous",
    "native_name": "Ελένη Χαραλάμπους",
    "email": "eleni@example.org",
    "phone": "+357 99 123456",
    "country": "CY",
    "languages": "el; en",
    "preferred_language": "el",
    "gender": "woman",
    "pronouns": "she/her",
    "sector": "Academic",
    "community": "Greek Cypriot",
    "track": "5",
    "organisation": "University of Cyprus",
    "position": "Lecturer",
    "risk_level": "normal",
    "do_not_contact": "no",
    "do_not_contact_reason": "",
    "tags": "alumni 2024; youth board",
}


def example_row() -> list[str]:
    """The example, naming a sector and a community this registry knows."""
    row = dict(EXAMPLE)
    sector = Sector.objects.order_by("position", "name").first()
    if sector is not None:
        row["sector"] = sector.name
    community = Community.objects.order_by("region", "name").first()
    row["community"] = community.name if community is not None else ""
    return [row[name] for name in COLUMNS]


def template_csv() -> bytes:
    """UTF-8 with a byte order mark, so Excel opens the Greek example as Greek."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerow(example_row())
    return "\ufeff".encode() + buffer.getvalue().encode()


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Participants"
    sheet.append(COLUMNS)
    # Text cells, so Excel keeps the phone's "+" and the track as written.
    sheet.append(example_row())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.number_format = "@"
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(name) + 2)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
