"""Which browser pages may open a WebSocket: same host:port as the request, or allow-listed."""
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _host_port(scheme: str, netloc: str) -> str | None:
    """Normalized lower-case 'host:port' (default port filled in from the scheme); None if
    malformed."""
    parts = urlsplit(f"{scheme}://{netloc}")
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme, 80)
    except ValueError:
        return None
    return f"{parts.hostname.lower()}:{port}" if parts.hostname else None


def origin_allowed(origin: str | None, host: str | None, allow: tuple, scheme: str = "http") -> bool:
    """Accept clients with no Origin (not a browser), same-host pages, and allow-listed origins."""
    if origin is None:
        return True
    parts = urlsplit(origin)
    if not parts.scheme or not parts.netloc:
        return False
    here = _host_port(parts.scheme, parts.netloc)
    if here is None:
        return False
    allowed = {_host_port(urlsplit(a).scheme, urlsplit(a).netloc) for a in allow}
    return here in allowed or (host is not None and here == _host_port(parts.scheme, host))
