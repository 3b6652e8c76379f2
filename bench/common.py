"""Shared by the bench scripts: the machine they ran on, and printing figures plus a --json line."""
import json
import os
import platform
import sys


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def report(title: str, rows: list[tuple], figures: dict) -> None:
    """Print aligned rows, then one JSON line when --json was given."""
    print(f"{title}\nmachine: {machine()}")
    width = max(len(str(r[0])) for r in rows)
    for name, *values in rows:
        print(f"  {str(name):<{width}}  " + "  ".join(str(v) for v in values))
    if "--json" in sys.argv:
        print(json.dumps({"bench": title, "machine": machine(), **figures}))
