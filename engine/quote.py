"""Quoting a value from untrusted input inside an error message: short, and safe to build."""

MAX_CHARS = 60


def quote(value) -> str:
    """repr of a scalar cut to MAX_CHARS; only the type of a container (which may nest deeply)."""
    if isinstance(value, (dict, list, tuple)):
        return f"a {'list' if isinstance(value, (list, tuple)) else 'JSON object'}"
    text = repr(value)
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 1] + "…"
