"""POST /api/trace/check: the engine's trace validator, for the page's import (stateless)."""
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from engine import TraceError, parse_trace
from engine.trace_loader import MAX_TRACE_BYTES

router = APIRouter()


@router.post("/api/trace/check")
async def check_trace(request: Request) -> JSONResponse:
    """Validate the trace in the body: 200 {ok, steps, snapshots, layers}, or 422 {ok: false,
    where, message} naming the first problem; the body is never kept."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_TRACE_BYTES:
            return _refused("", f"the file is over {MAX_TRACE_BYTES} bytes; traces are limited to that")
    try:
        trace = parse_trace(bytes(body))
    except TraceError as exc:
        return _refused(exc.where, exc.message)
    return JSONResponse({"ok": True, "steps": len(trace["steps"]), "layers": len(trace["layers"]),
                         "snapshots": sum("snapshot" in s for s in trace["steps"])})


def _refused(where: str, message: str) -> JSONResponse:
    """A 422 reply naming what is wrong and where."""
    return JSONResponse({"ok": False, "where": where, "message": message}, status_code=422)
