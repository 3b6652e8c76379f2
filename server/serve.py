"""`backprop-lab serve`: uvicorn with the app, permessage-deflate off, settings to every worker."""
import errno
import os
import socket
import sys
import threading
import webbrowser

import uvicorn

from .settings import Settings


def port_taken(host: str, port: int) -> bool:
    """Whether another program already listens on host:port (bound as uvicorn binds it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def serve(args) -> int:
    """Start uvicorn on the given host and port, optionally opening the page; 2 if the port is taken."""
    if port_taken(args.host, args.port):
        print(f"backprop-lab: port {args.port} on {args.host} is already in use (another "
              f"backprop-lab, or another program). Choose another port: backprop-lab --port "
              f"{args.port + 1 if args.port < 65535 else 8001}", file=sys.stderr)
        return 2
    settings = Settings(host=args.host, port=args.port, workers=args.workers,
                        allow_origins=tuple(args.allow_origin), idle_timeout=args.idle_timeout,
                        max_sessions=args.max_sessions,
                        max_sessions_per_client=args.max_sessions_per_client)
    os.environ.update(settings.to_env())
    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}/"
    print(f"Backprop Lab: open {url}  (Ctrl+C stops)", flush=True)
    if args.open:
        threading.Timer(1.0, webbrowser.open, [url]).start()
    uvicorn.run("server.app:create_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, ws_per_message_deflate=False,
                ws_max_size=settings.max_transport_bytes, log_level="warning")
    return 0
