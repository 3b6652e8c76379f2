"""The `backprop-lab` command: `serve` (the default), `run` a config to a trace, `validate` a trace."""
import argparse
import sys
import time

import orjson

from engine import ConfigError, TraceError, Trainer, encode, load_trace, validate_config
from engine.divergence import ADVICE, describe_nonfinite


def _progress(done: int, total: int, started: float) -> None:
    """Redraw a one-line progress bar on stderr."""
    width = 30
    filled = width * done // max(total, 1)
    rate = done / max(time.perf_counter() - started, 1e-9)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} steps "
                     f"{rate:,.0f} steps/s")
    sys.stderr.flush()


def run(args) -> int:
    """Train a config file for N steps and write its trace."""
    try:
        with open(args.config, "rb") as f:
            document = orjson.loads(f.read() or b"{}")  # an empty file: the defaults
        trainer = Trainer(validate_config(document), snapshot_every=args.snapshot_every)
    except (OSError, ValueError) as exc:
        message = str(exc) if isinstance(exc, (ConfigError, OSError)) else f"not valid JSON: {exc}"
        print(f"backprop-lab run: {args.config}: {message}", file=sys.stderr)
        return 2
    try:
        out = open(args.out, "wb")
    except OSError as exc:
        print(f"backprop-lab run: {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    started = drawn = time.perf_counter()
    while trainer.steps < args.steps:
        record = trainer.run(min(100, args.steps - trainer.steps))
        if time.perf_counter() - drawn > 0.1 or trainer.steps == args.steps:
            _progress(trainer.steps, args.steps, started)
            drawn = time.perf_counter()
        if not record.applied:
            break
    sys.stderr.write("\n")
    with out:
        out.write(encode(trainer.export_trace()))
    metrics = trainer.evaluate()
    summary = (f"{trainer.steps} steps, epoch {trainer.epoch}, "
               f"train loss {metrics['train_loss']:.4g}, test loss {metrics['test_loss']:.4g}")
    if metrics["test_accuracy"] is not None:
        summary += f", test accuracy {metrics['test_accuracy']:.3f}"
    if trainer.nonfinite:
        n = trainer.nonfinite
        summary += (f"; DIVERGED at step {n['step']}: a non-finite value appeared in {describe_nonfinite(n)}"
                    f" (the step was refused); {ADVICE}")
    print(f"{summary} -> {args.out}")
    return 1 if trainer.nonfinite else 0


def validate(args) -> int:
    """Check a trace file and say what it holds, or what is wrong with it."""
    try:
        trace = load_trace(args.trace)
    except (OSError, TraceError) as exc:
        print(f"backprop-lab validate: {args.trace}: {exc}", file=sys.stderr)
        return 2
    steps = trace["steps"]
    last = steps[-1]["step"] if steps else 0
    snapshots = sum("snapshot" in s for s in steps)
    print(f"{args.trace}: valid trace, {len(trace['layers'])} layers, {len(steps)} recorded steps "
          f"up to step {last}, {snapshots} snapshots, {len(trace['events'])} events")
    return 0


def serve(args) -> int:
    """Start the web app (imported here so `run` and `validate` load only the engine)."""
    from .serve import serve as start

    return start(args)


def _at_least(low: int):
    """An argparse type: an integer of at least `low`, else a message naming the bound."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low} (got {value})")
        return value
    return parse


def parser() -> argparse.ArgumentParser:
    """The command line: serve (default), run, validate."""
    p = argparse.ArgumentParser(prog="backprop-lab", description=__doc__)
    sub = p.add_subparsers(dest="command")
    s = sub.add_parser("serve", help="start the web app (the default command)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=_at_least(1), default=8000)
    s.add_argument("--workers", type=int, default=1)
    s.add_argument("--open", action="store_true", help="open the page in a browser")
    s.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                   help="also accept pages from this origin, e.g. http://lab.example:8080")
    s.add_argument("--idle-timeout", type=float, default=1800.0, metavar="SECONDS",
                   help="pause a playing session after this long without a message")
    s.add_argument("--max-sessions", type=int, default=64, metavar="N",
                   help="sessions per worker process; the next is refused (close code 1013)")
    s.add_argument("--max-sessions-per-client", type=int, default=16, metavar="N",
                   help="sessions per client address, e.g. in a classroom (close code 1008)")
    r = sub.add_parser("run", help="train a config and write its trace")
    r.add_argument("--config", required=True, help="a JSON config file ({} for the defaults)")
    r.add_argument("--steps", type=_at_least(1), required=True)
    r.add_argument("--out", required=True, help="where to write the trace JSON")
    r.add_argument("--snapshot-every", type=_at_least(0), default=100,
                   help="a full snapshot every K steps, at steps 1, 2, 5, 10, ... "
                        "before the first K, and of the last step (0: none)")
    v = sub.add_parser("validate", help="check a trace file")
    v.add_argument("trace")
    return p


COMMANDS = ("serve", "run", "validate")


def main(argv=None) -> int:
    """Entry point of the console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        argv = ["serve", *argv]
    args = parser().parse_args(argv)
    return {"serve": serve, "run": run, "validate": validate}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
