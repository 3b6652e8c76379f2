"""How a rejected config is reported: ConfigError with the dotted path of the field at fault,
and pydantic's errors turned into that path and a short message."""
import json
import re

from .quote import quote

MAX_KEY_CHARS = 60  # of an unknown key quoted in an error's field path


class ConfigError(ValueError):
    """A config rejected, with the dotted path of the field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


def pydantic_message(error) -> str:
    """A short human message for one pydantic error."""
    kind, ctx, got = error["type"], error.get("ctx", {}), error.get("input")
    bounds = {"greater_than_equal": "at least {ge}", "greater_than": "greater than {gt}",
              "less_than_equal": "at most {le}", "less_than": "less than {lt}"}
    if kind in bounds:
        return f"must be {bounds[kind].format(**ctx)} (got {quote(got)})"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "literal_error":
        return f"must be one of {ctx['expected']} (got {quote(got)})"
    if kind == "too_long":
        return f"must have at most {ctx['max_length']} items"
    return error["msg"].lower()


PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def field_path(loc) -> str:
    """A pydantic error location as a dotted path (`network.hidden.0.units`); a key that is not a
    plain name ("a.b", "0[0", "") is written quoted in brackets (`["0[0"]`), so the path reads
    one way only."""
    out = ""
    for part in loc:
        if isinstance(part, int) or PLAIN_NAME.match(part):
            out += f".{part}" if out else str(part)
        else:
            out += f"[{json.dumps(part[:MAX_KEY_CHARS])}]"
    return out
