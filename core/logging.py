"""Logging filters used by settings.LOGGING."""

import logging


class RefusalsInOneLine(logging.Filter):
    """A 4xx the shop meant to give ("Forbidden (Permission denied): /admin/customers/visit/") is
    logged as its one line: the traceback Django attaches would only bury the real errors.
    Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
