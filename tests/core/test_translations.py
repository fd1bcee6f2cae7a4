"""The shop speaks Russian: the catalog is translated, compiled and used by the pages.

The .po file is read here with a few lines of Python (no gettext tools on a fresh machine), so
an untranslated or fuzzy string, or a catalog nobody compiled, fails CI.
"""
import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import CategoryFactory, ProductFactory

RU = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def po_entries(path: Path) -> list[dict]:
    """Entries of a .po file: {"flags", "msgctxt", "msgid", "msgid_plural", "msgstr", "msgstr[0]"...}."""
    entries, entry, key = [], {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line or line.startswith("#~"):
            if entry.get("msgid"):  # the header has an empty msgid
                entries.append(entry)
            entry, key = ({}, None) if not line else (entry, key)
            continue
        if line.startswith("#,"):
            entry.setdefault("flags", set()).update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


def translations(entry: dict) -> list[str]:
    if "msgid_plural" in entry:
        return [value for key, value in entry.items() if key.startswith("msgstr[")]
    return [entry["msgstr"]]


RU_ENTRIES = po_entries(RU / "django.po")


@pytest.fixture
def russian(settings):
    settings.LANGUAGE_CODE = "ru"


def test_russian_catalog_has_strings():
    assert len(RU_ENTRIES) > 400


def test_every_string_has_a_checked_russian_translation():
    untranslated = [
        entry["msgid"] for entry in RU_ENTRIES
        if "fuzzy" in entry.get("flags", set()) or not all(text.strip() for text in translations(entry))
    ]

    assert untranslated == []


def test_plural_strings_have_all_four_russian_forms():
    # Django's Russian rule: 1 товар, 2 товара, 5 товаров, and a fourth form for fractions.
    incomplete = [entry["msgid"] for entry in RU_ENTRIES if "msgid_plural" in entry and len(translations(entry)) != 4]

    assert incomplete == []


def test_russian_translations_keep_the_placeholders():
    broken = [
        entry["msgid"] for entry in RU_ENTRIES
        for text in translations(entry)
        if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(entry.get("msgid_plural", entry["msgid"])))
    ]

    assert broken == []


def test_compiled_russian_catalog_matches_the_po_file():
    with (RU / "django.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)

    for entry in RU_ENTRIES:
        if "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 5) == entry["msgstr[2]"]
        elif "msgctxt" in entry:
            assert compiled.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"]


@pytest.mark.django_db
def test_storefront_speaks_russian(client, russian):
    category = CategoryFactory(name="Уход за кожей")
    ProductFactory.create_batch(5, category=category, stock=3)

    page = client.get("/catalog/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    for text in ("Каталог", "В наличии", "Войти", "Сначала популярные", "5 товаров"):
        assert text in page


@pytest.mark.django_db
def test_product_page_speaks_russian(client, russian):
    product = ProductFactory(stock=3, sku="VT-1")

    page = client.get(product.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Артикул" in page
    assert "В наличии" in page


@pytest.mark.django_db
def test_sign_in_page_speaks_russian(client, russian):
    page = client.get("/account/sign-in/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Забыли пароль?" in page
    assert "Пароль" in page


@pytest.mark.django_db
def test_back_office_sign_in_speaks_russian(client, russian):
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Пароль" in page


@pytest.mark.django_db
def test_back_office_speaks_the_language_the_manager_chose_at_the_same_address(client):
    client.cookies["django_language"] = "en"

    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert 'lang="en"' in page
