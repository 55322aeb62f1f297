"""Logging helpers: a filter that keeps secrets out of every log line."""

import logging
import re

_PATTERNS = [
    # URL credentials: scheme://user:password@host
    (re.compile(r"(?P<pre>[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+(?=@)", re.I), r"\g<pre>***"),
    # Authorization headers and bearer tokens
    (re.compile(r"(?P<pre>\b(?:bearer|token)\s+)\S{8,}", re.I), r"\g<pre>***"),
    # key=value or "key": "value" pairs whose key names a secret
    (
        re.compile(
            r"(?P<pre>\b[\w-]*(?:password|passwd|secret|token|api[_-]?key)[\w-]*"
            r"[\"']?\s*[=:]\s*[\"']?)[^\s\"',;&]+",
            re.I,
        ),
        r"\g<pre>***",
    ),
]


def redact(text: str) -> str:
    """Return `text` with passwords, tokens and URL credentials replaced by `***`."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Rewrites each record's message so no secret reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        return True
