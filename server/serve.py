"""`backprop-lab serve`: uvicorn with the app, permessage-deflate off, settings to every worker."""
import os
import threading
import webbrowser

import uvicorn

from .settings import Settings


def serve(args) -> int:
    """Start uvicorn on the given host and port, optionally opening the page."""
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
