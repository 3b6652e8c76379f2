"""The FastAPI app: static page, Plotly.js from the installed package, the API and /ws."""
import sys
import threading
from contextlib import asynccontextmanager
from importlib.metadata import version
from pathlib import Path

import plotly
from fastapi import FastAPI, WebSocket
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from engine import catalog

from .connection import serve_websocket
from .lag import LagMonitor
from .scheduler import Scheduler
from .settings import Settings
from .points_upload import router as points_upload
from .workbench import Workbench
from .trace_check import router as trace_check

STATIC = Path(__file__).resolve().parent.parent / "static"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
SWITCH_INTERVAL = 0.0005  # training threads hold the GIL between NumPy calls (DESIGN.md)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; settings default to those in the environment (for uvicorn's workers)."""
    settings = settings or Settings.from_env()
    sys.setswitchinterval(SWITCH_INTERVAL)
    lag = LagMonitor()
    scheduler = Scheduler()
    workbench = Workbench()  # the instruments' thread

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        lag.start()
        yield
        await lag.stop()
        scheduler.stop()
        workbench.stop()

    app = FastAPI(title="Backprop Lab", version=version("backprop-lab"), lifespan=lifespan,
                  description="Watch backpropagation happen: live training over /ws.")
    app.state.settings = settings
    app.state.sessions = set()
    app.state.scheduler = scheduler

    @app.get("/api/health")
    async def health(reset_lag: bool = False) -> dict:
        """Liveness, version, this process's sessions and its event loop's recent lag."""
        summary = lag.summary()
        if reset_lag:
            lag.reset()
        return {"status": "ok", "version": app.version, "sessions": len(app.state.sessions),
                "threads": threading.active_count(), "loop_lag": summary}

    @app.get("/api/catalog")
    def get_catalog() -> dict:
        """The engine's choices, defaults, limits and config schema."""
        return catalog()

    app.include_router(trace_check)
    app.include_router(points_upload)

    @app.api_route("/vendor/plotly.min.js", methods=["GET", "HEAD"], include_in_schema=False)
    def plotly_js() -> FileResponse:
        """Plotly.js from the installed plotly package: the app needs no internet."""
        return FileResponse(PLOTLY_JS, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.websocket("/ws")
    async def websocket(ws: WebSocket) -> None:
        await serve_websocket(ws, settings, app.state.sessions, scheduler, workbench)

    app.mount("/", StaticFiles(directory=STATIC, html=True), name="static")
    return app
