"""A small streaming XML writer: elements go to the file as they are made, so a feed of any size
needs the memory of one offer. Text is escaped (&, <, >; quotes in attributes) and characters XML
forbids are dropped; the output is buffered and written in large pieces."""

from contextlib import contextmanager
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from integrations.feeds.offers import xml_text

FLUSH_EVERY = 4096  # pieces of text


class FeedWriter:
    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._pieces: list[str] = ['<?xml version="1.0" encoding="utf-8"?>\n']

    def _flush(self) -> None:
        self._stream.write("".join(self._pieces).encode())
        self._pieces.clear()

    @contextmanager
    def element(self, tag: str, /, **attributes: object):
        self._pieces.append(f"<{tag}{_attributes(attributes) if attributes else ''}>")
        yield
        self._pieces.append(f"</{tag}>")

    def leaf(self, tag: str, text: object = "", /, **attributes: object) -> None:
        content = _text(text)
        attrs = _attributes(attributes) if attributes else ""
        self._pieces.append(f"<{tag}{attrs}>{content}</{tag}>" if content else f"<{tag}{attrs}/>")

    def newline(self) -> None:
        """Between offers: where the buffer goes to the file once it is big enough."""
        self._pieces.append("\n")
        if len(self._pieces) >= FLUSH_EVERY:
            self._flush()

    def end(self) -> None:
        self._pieces.append("\n")
        self._flush()


def _text(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    return escape(xml_text(value))


def _attributes(attributes: dict[str, object]) -> str:
    # Python names cannot hold ":": g__x= is written g:x.
    return "".join(f" {name.replace('__', ':')}={quoteattr(xml_text(value))}"
                   for name, value in attributes.items() if value is not None)
