"""POST /api/points/csv: a CSV file of 2-D points read by the engine into the custom dataset's
config, for the page's upload (stateless: the page then sends the config like any other)."""
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from engine.custom_points import MAX_CSV_BYTES, CsvError, read_points_csv

router = APIRouter()


@router.post("/api/points/csv")
async def read_csv(request: Request) -> JSONResponse:
    """The body's points: 200 {ok, dataset: {name, points, task, n_classes}}, or 422 {ok: false,
    line, message} naming the first fault (line 0: the file as a whole); the body is never kept."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_CSV_BYTES:
            return _refused(CsvError(0, f"the file is over {MAX_CSV_BYTES // 2**20} MB; at most that"))
    try:
        dataset = read_points_csv(bytes(body))
    except CsvError as exc:
        return _refused(exc)
    return JSONResponse({"ok": True, "dataset": dataset})


def _refused(error: CsvError) -> JSONResponse:
    return JSONResponse({"ok": False, "line": error.line, "message": error.message}, status_code=422)
