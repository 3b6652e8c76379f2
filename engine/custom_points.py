"""A person's own 2-D points, read from a CSV file: columns `x1,x2,label` (integer classes) or
`x1,x2,value` (regression), with or without a header, into the `custom` dataset's config
({"name": "custom", "points": [[x1, x2, y], ...], "task", "n_classes"}); every fault is named by
its line, and nothing is read past the first one."""
import math

from .limits import LIMITS

MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_COORDINATE = 1e6  # |x1|, |x2| and a regression value; beyond it a file is not points on a plane
HEADERS = {"label": "classification", "class": "classification", "value": "regression", "target": "regression"}


class CsvError(ValueError):
    """A CSV file refused, with the line at fault (1-based; 0 for the file as a whole)."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}" if line else message)
        self.line, self.message = line, message


def read_points_csv(raw: bytes) -> dict:
    """The custom dataset config of a CSV file's bytes: {name, points, task, n_classes}."""
    if len(raw) > MAX_CSV_BYTES:
        raise CsvError(0, f"the file is {len(raw) / 2**20:.1f} MB; at most {MAX_CSV_BYTES // 2**20} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise CsvError(line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
    rows = [(k + 1, [cell.strip() for cell in line.split(",")])
            for k, line in enumerate(text.splitlines()) if line.strip()]
    if not rows:
        raise CsvError(0, "the file has no points")
    task = None
    if not any(map(_numeric, rows[0][1])):  # a header (no cell a number) names the third column
        line, names = rows.pop(0)
        _check_width(line, names)
        task = HEADERS.get(names[2].lower())
        if task is None:
            raise CsvError(line, f"the third column must be label (classes) or value (regression), "
                                 f"not {names[2][:40]!r}")
    points = [_point(line, cells) for line, cells in rows]
    _check_count(len(points))
    task = task or _guess_task(points)
    lines = [line for line, _ in rows]
    if task == "classification":
        for line, (_, _, label) in zip(lines, points):
            if label != int(label) or not 0 <= label < LIMITS["max_classes"]:
                raise CsvError(line, f"class {label:g} is not one of 0..{LIMITS['max_classes'] - 1}")
    return {"name": "custom", "points": points, "task": task,
            "n_classes": max(2, int(max(p[2] for p in points)) + 1) if task == "classification" else 2}


def _numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _check_width(line: int, cells: list) -> None:
    if len(cells) != 3:
        raise CsvError(line, f"{len(cells)} columns; a point has 3 (x1,x2,label or x1,x2,value)")


def _point(line: int, cells: list) -> list[float]:
    """One row's [x1, x2, y], each a finite number within MAX_COORDINATE."""
    _check_width(line, cells)
    values = []
    for cell in cells:
        try:
            value = float(cell)
        except ValueError:
            raise CsvError(line, f"{cell[:40]!r} is not a number") from None
        if not math.isfinite(value):
            raise CsvError(line, f"{cell!r} is not a finite number")
        if abs(value) > MAX_COORDINATE:
            raise CsvError(line, f"{cell} is beyond ±{MAX_COORDINATE:g}")
        values.append(value)
    return values


def _check_count(n: int) -> None:
    low, high = LIMITS["min_samples"], LIMITS["max_samples"]
    if not low <= n <= high:
        raise CsvError(0, f"{n:,} points; a set has {low} to {high:,}")


def _guess_task(points: list) -> str:
    """With no header: classes when every third value is a whole number from 0 to the class limit."""
    whole = all(p[2] == int(p[2]) and 0 <= p[2] < LIMITS["max_classes"] for p in points)
    return "classification" if whole else "regression"
