"""Personal numbers never reach a log line (PIPL: the minimum necessary; issue 16).

A search by ID number or phone puts the number in the URL, and gunicorn's access log writes the
URL: `MaskingLogger` is gunicorn's logger with every atom of the access log masked (set by
`logger_class` in deploy/gunicorn.conf.py and `--logger-class` in the Makefile). The
`PersonalNumberFilter` does the same for Django's own log records (settings.LOGGING puts it on
every handler). Both mask what looks like an ID number (18 characters, or 15 digits) or a
mainland mobile number, as the lists show them (3501**********1234, 138****0000).
"""

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

from .masking import mask_id_number, mask_phone

# Not inside a longer run of digits or letters (an order number, a hash): a number on its own.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86)?(1[3-9]\d{9})(?![0-9A-Za-z])")


def mask_personal_numbers(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return MOBILE.sub(lambda m: mask_phone(m.group(1)), text)


def looks_personal(value: str) -> bool:
    """The whole value is an ID number or a mobile number."""
    return bool(ID_NUMBER.fullmatch(value) or MOBILE.fullmatch(value))


class PersonalNumberFilter(logging.Filter):
    """A handler filter: the record's message, formatted, with personal numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class MaskingLogger(GunicornLogger):
    """gunicorn's logger (`logger_class`) with the access log's atoms masked: the request line,
    path, query, referer and every header; and its error log filtered the same way."""

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(PersonalNumberFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_personal_numbers(value) if isinstance(value, str) else value
                for key, value in atoms.items()}
