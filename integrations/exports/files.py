"""Tables as CSV (streamed as they are read) or XLSX (written row by row to a temporary file)."""

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

FORMATS = ("csv", "xlsx")


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    # A byte-order mark lets Excel open the UTF-8 file with Cyrillic intact.
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def table_response(*, header: list[str], rows: Iterable[list], filename: str, file_format: str):
    """A download of the table; rows are read while it is sent (CSV) or written to disk first (XLSX)."""
    if file_format == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        stream = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
        workbook.save(stream)
        stream.seek(0)
        return FileResponse(stream, as_attachment=True, filename=f"{filename}.xlsx")
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
