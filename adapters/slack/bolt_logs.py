"""Bolt's log lines without request content: no body, no user text, one line each.

Some of bolt's lines quote the request (a refused signature's body, an unhandled request's fields, a
middleware's whole body). The gate (adapters.slack.gate) keeps such requests from bolt, and this
filter makes sure that whatever bolt still says carries no request content: the quoted part is cut,
and control characters (a newline would start a forged line) are escaped.
"""

import logging
import re

BOLT_LOGGER = "slack_bolt"
_QUOTES = re.compile(r",?\s*\b(?:[Rr]equest )?body\s*[:=].*"
                     r"|(?<=Unhandled request) \(.*"
                     r"|(?<=without providing a response for the request) \(.*", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
CUT = " (request content not logged)"


class NoRequestContent(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cut = _QUOTES.sub(CUT, message, count=1)
        record.msg = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), cut)
        record.args = None
        return True


def bolt_logger() -> logging.Logger:
    """The logger to give bolt: the loggers it derives from it copy this one's filters when bolt creates them."""
    logger = logging.getLogger(BOLT_LOGGER)
    if not any(isinstance(f, NoRequestContent) for f in logger.filters):
        logger.addFilter(NoRequestContent())
    return logger
