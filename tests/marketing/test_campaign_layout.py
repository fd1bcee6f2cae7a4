from decimal import Decimal

from marketing.campaigns.layout import email_layout_render, link_marker


def _context(**changes) -> dict:
    return {
        "subject": "Корзина ждёт", "paragraphs": ["Здравствуйте!"], "products": [], "link": link_marker("link0"),
        "button": "Вернуться", "unsubscribe_url": link_marker("unsubscribe"), "pixel_url": link_marker("pixel"),
        "shop_name": "Витрина", "language": "ru", **changes,
    }


LINKS = {"link0": "https://shop.example/m/c/t.0:s/?a=1&b=2", "link1": "https://shop.example/m/c/t.1:s/",
         "unsubscribe": "https://shop.example/m/u/t:s/", "pixel": "https://shop.example/m/o/t:s/"}


def test_what_customers_and_marketers_wrote_is_escaped_in_the_html_and_kept_in_the_text():
    product = {"name": '<b>Крем & "мыло"</b>', "price": Decimal("990"), "quantity": 2, "image_url": "",
               "link": link_marker("link1")}
    html, text = email_layout_render(
        _context(paragraphs=["<script>alert(1)</script>"], products=[product]), language="ru", links=LINKS,
    )

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;Крем &amp; &#34;мыло&#34;&lt;/b&gt;" in html
    assert '- <b>Крем & "мыло"</b>, 2 × 990\u00a0₽: https://shop.example/m/c/t.1:s/' in text
    assert 'href="https://shop.example/m/c/t.0:s/?a=1&amp;b=2"' in html


def test_a_paragraphs_line_breaks_are_kept_in_the_html():
    html, _text = email_layout_render(_context(paragraphs=["Первая строка\nвторая"]), language="ru", links=LINKS)

    assert "Первая строка<br>вторая" in html


def test_the_layouts_own_words_are_in_the_messages_language():
    russian_html, russian_text = email_layout_render(_context(), language="ru", links=LINKS)
    english_html, english_text = email_layout_render(_context(language="en"), language="en", links=LINKS)

    assert "Отписаться" in russian_html and "Отписаться: https://shop.example/m/u/t:s/" in russian_text
    assert "согласились получать новости от Витрина" in russian_html
    assert "Unsubscribe: https://shop.example/m/u/t:s/" in english_text
    assert "you agreed to news from Витрина" in english_html
