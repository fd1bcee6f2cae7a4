"""Reading price lists: CSV in any common encoding and delimiter, and XLSX, one row at a time."""

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import load_workbook

SNIFF_BYTES = 64 * 1024


class PriceListUnreadable(ValueError):
    """The file as a whole cannot be read (not a table, a mapped column missing): nothing is imported."""


@dataclass(frozen=True)
class RawRow:
    line: int
    # The cells of the mapped columns, by role ("sku", "price"...) and by attribute slug.
    cells: dict[str, object]
    attributes: dict[str, object]


@dataclass
class PriceListFile:
    total_rows: int
    rows: Iterator[RawRow]


def pricelist_open(path: Path, *, columns: dict[str, str], attribute_columns: dict[str, str]) -> PriceListFile:
    """Open a .csv or .xlsx file and find the mapped columns in its header row.

    `columns` is {role: header}, `attribute_columns` {header: attribute slug}; headers match
    whatever their case and surrounding spaces. Raises PriceListUnreadable with what is wrong."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        total, header, body = _csv(path)
    elif suffix == ".xlsx":
        total, header, body = _xlsx(path)
    else:
        raise PriceListUnreadable(_("Only .csv and .xlsx price lists can be read."))
    positions = {_header_key(name): index for index, name in enumerate(header) if _header_key(name)}

    def position(name: str) -> int:
        try:
            return positions[_header_key(name)]
        except KeyError:
            raise PriceListUnreadable(
                _("The file has no column “%(column)s”; its columns are: %(columns)s.")
                % {"column": name, "columns": ", ".join(str(h) for h in header if h not in (None, ""))}
            ) from None

    roles = {role: position(name) for role, name in columns.items()}
    attributes = {slug: position(name) for name, slug in attribute_columns.items()}

    def rows() -> Iterator[RawRow]:
        for line, values in body:
            if all(value in (None, "") for value in values):
                continue
            yield RawRow(line=line, cells={role: _cell(values, i) for role, i in roles.items()},
                         attributes={slug: _cell(values, i) for slug, i in attributes.items()})

    return PriceListFile(total_rows=total, rows=rows())


def _header_key(name: object) -> str:
    return str(name).strip().lstrip("\ufeff").casefold() if name is not None else ""


def _cell(values, index: int) -> object:
    value = values[index] if index < len(values) else None
    return value.strip() if isinstance(value, str) else value


def _encoding(sample: bytes) -> str:
    """UTF-8 (with or without a byte-order mark) when the bytes are UTF-8, else Windows-1251,
    which is what Russian spreadsheets save as "CSV"."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def _csv(path: Path):
    with path.open("rb") as raw:
        sample = raw.read(SNIFF_BYTES)
        raw.seek(0)
        total = max(sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b"")) - 1, 0)
    encoding = _encoding(sample)
    text = sample.decode(encoding, errors="ignore")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    stream = path.open(encoding=encoding, newline="")
    reader = csv.reader(stream, delimiter=dialect.delimiter, quotechar='"')
    header = next(reader, None)
    if header is None:
        stream.close()
        raise PriceListUnreadable(_("The file is empty."))

    def body():
        with stream:
            for values in reader:
                yield reader.line_num, values

    return total, header, body()


def _xlsx(path: Path):
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise PriceListUnreadable(_("The file is not an Excel workbook (.xlsx).")) from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        workbook.close()
        raise PriceListUnreadable(_("The file is empty."))
    total = max((sheet.max_row or 1) - 1, 0)

    def body():
        try:
            yield from enumerate(rows, start=2)
        finally:
            workbook.close()

    return total, list(header), body()


# --- Cells ---------------------------------------------------------------------------------


class CellInvalid(ValueError):
    pass


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def cell_decimal(value: object) -> Decimal | None:
    """A number as suppliers write it: 1990, "1 990,50", "1,990.50", "1990 ₽". Spreadsheet
    numbers come as floats and are read by their shortest decimal form, never as binary fractions."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellInvalid(value)
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().lower()
    for noise in ("\u00a0", "\u202f", " ", "₽", "руб.", "руб", "р.", "rub"):
        text = text.replace(noise, "")
    if "," in text and "." in text:
        text = text.replace(",", "")
    text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellInvalid(value) from None
    if not number.is_finite():
        raise CellInvalid(value)
    return number


def cell_boolean(value: object) -> bool | None:
    text = cell_text(value).casefold()
    if not text:
        return None
    if text in ("1", "yes", "true", "да", "есть", "+"):
        return True
    if text in ("0", "no", "false", "нет", "-"):
        return False
    raise CellInvalid(value)

