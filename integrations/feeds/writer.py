"""A small streaming XML writer: elements go to the file as they are made, so a feed of any size
needs the memory of one offer."""

from contextlib import contextmanager
from typing import IO
from xml.sax.saxutils import XMLGenerator

from integrations.feeds.offers import xml_text


class FeedWriter:
    def __init__(self, stream: IO[bytes]) -> None:
        self._xml = XMLGenerator(stream, encoding="utf-8", short_empty_elements=True)
        self._xml.startDocument()

    @contextmanager
    def element(self, tag: str, /, **attributes: object):
        self._xml.startElement(tag, _attributes(attributes))
        yield
        self._xml.endElement(tag)

    def leaf(self, tag: str, text: object = "", /, **attributes: object) -> None:
        self._xml.startElement(tag, _attributes(attributes))
        if text != "":
            self._xml.characters(xml_text(text))
        self._xml.endElement(tag)

    def newline(self) -> None:
        self._xml.ignorableWhitespace("\n")

    def end(self) -> None:
        self._xml.endDocument()


def _attributes(attributes: dict[str, object]) -> dict[str, str]:
    # Python names cannot hold "-" or ":": parent_id= is written parentId, g_x= is g:x.
    return {name.replace("__", ":"): xml_text(value) for name, value in attributes.items() if value is not None}
