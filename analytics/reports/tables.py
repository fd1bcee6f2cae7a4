"""A report is a table: the admin page renders it, the API sends it as JSON, the owner downloads
it as CSV. One shape for all three, so the figures can never differ between them."""

import csv
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # text, int, money, percent; by_row: as the row's own "kind" says

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict]
    total: dict | None = None
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "report": self.name,
            "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in self.columns],
            "rows": [_plain(row) for row in self.rows],
            "total": _plain(self.total) if self.total is not None else None,
            "notes": [str(note) for note in self.notes],
        }

    def csv_response(self, *, filename: str) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 with a BOM as UTF-8, not as Windows-1251
        writer = csv.writer(response)
        writer.writerow([str(column.label) for column in self.columns])
        for row in [*self.rows, *([self.total] if self.total else [])]:
            writer.writerow(["" if row.get(c.key) is None else _cell(row[c.key]) for c in self.columns])
        return response


def _cell(value) -> str:
    return str(value) if not isinstance(value, Decimal) else format(value, "f")


def _plain(row: dict) -> dict:
    return {key: (str(value) if isinstance(value, Decimal) else value) for key, value in row.items()}
