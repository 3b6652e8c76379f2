"""The gradient check (CS231n's, made visible): backpropagation's gradient against central
differences of the loss, per parameter tensor, in float64 on the current batch and weights."""
import numpy as np

from .probe import WORK_BUDGET, InstrumentError, Probe, affordable

STEP = 1e-5  # the central difference's h
FULL = 64  # tensors up to this many elements are checked whole; larger ones sampled
MIN_SAMPLED = 2  # elements per tensor however large the net (its batch is sampled instead)
ZERO = 1e-8  # gradient norm per √element below which a central difference resolves nothing
EPSILON = float(np.finfo(np.float64).eps)  # a float64 value's relative roundoff
RIGHT, SUSPECT = 1e-7, 1e-4  # CS231n's reading: below RIGHT right, up to SUSPECT suspect, then wrong


def reading(analytic, numeric, roundoff, kinks: int) -> tuple:
    """(relative error, verdict) of a tensor's checked elements: gradients (n,), (n,) and the
    roundoff each difference may carry (n,). The error is ‖a − n‖ / max(‖a‖, ‖n‖), per tensor
    rather than CS231n's per element, so one element whose gradient is nearly 0 does not read as
    wrong. The verdict is CS231n's reading: right; else 'roundoff' when the roundoff alone could
    explain the gap (a loss too large for differences in float64: nothing to tell), 'kinks' when a
    difference crossed a kink at 0 (which explains it), suspect, wrong; 'zero' when both gradients
    are below what differences resolve (the tensor does not move the loss, as a bias before batch
    norm); 'not finite' when either is not."""
    with np.errstate(all="ignore"):
        scale = max(float(np.linalg.norm(analytic)), float(np.linalg.norm(numeric)))
        gap = float(np.linalg.norm(analytic - numeric))
        error = gap / scale if scale > 0 else 0.0
        noise = float(np.linalg.norm(roundoff))
    if not np.isfinite(error) or not np.isfinite(scale):
        return error, "not finite"
    resolved = ZERO * np.sqrt(len(numeric))
    if scale < resolved and noise < resolved:
        return error, "zero"
    if error < RIGHT and scale > 0:
        return error, "right"
    if gap <= noise:
        return error, "roundoff"
    if kinks:
        return error, "kinks"
    return error, "suspect" if error < SUSPECT else "wrong"


def check_layer(trainer, layer: int | None) -> None:
    """Raise InstrumentError unless layer is None (every layer) or an index of the run's entries."""
    if layer is not None and not (isinstance(layer, int) and 0 <= layer < len(trainer.entries)):
        raise InstrumentError(f"there is no layer {layer!r}; the network has {len(trainer.entries)}",
                              "layer")


def gradcheck(trainer, layer: int | None = None) -> dict:
    """{entries: [{layer, name, param, rel_error, verdict, checked, size, kinks}], batch, of,
    dropout_off} for every parameter tensor (or those of one layer), on the examples of the next
    batch (`batch` of its `of`: all of them unless the net is too large to afford)."""
    check_layer(trainer, layer)
    tensors = [(i, e, key) for i, e in enumerate(trainer.entries) for key in e.param_names
               if layer is None or i == layer]
    batch = trainer.sampler.peek(trainer.config.training.batch_size)
    probe = Probe(trainer, affordable(trainer, batch, 3 + 2 * MIN_SAMPLED * len(tensors)))
    _, analytic = probe.gradient_at(probe.theta)
    per_tensor = (WORK_BUDGET / probe.work - 3) / (2 * len(tensors))  # affordable differences
    limit = int(min(FULL, max(MIN_SAMPLED, per_tensor)))
    rng = np.random.default_rng(0)  # its own stream: the run's randomness is untouched
    store = probe.net.store
    out = []
    for i, entry, key in tensors:
        where = store.slices[entry.param_names[key]]
        size = where.stop - where.start
        picked = np.arange(size) if size <= limit else np.sort(rng.choice(size, limit, replace=False))
        numeric, roundoff, kinks = _differences(probe, where.start + picked)
        error, verdict = reading(analytic[where.start + picked], numeric, roundoff, kinks)
        out.append({"layer": i, "name": entry.name, "param": key, "rel_error": error,
                    "verdict": verdict, "checked": len(picked), "size": size,
                    "kinks": kinks})
    return {"entries": out, "batch": len(probe.batch), "of": len(batch), "dropout_off": probe.dropout}


def _differences(probe, flat) -> tuple:
    """Central differences of the loss at the flat indices (n,): ((n,), the roundoff each may
    carry (n,), how many crossed a kink). A loss computed from values of size M is off by about
    ε·M, so a difference by about ε·(M₊ + M₋)/2h. The store holds the run's θ on entry
    (gradient_at has just run) and on return."""
    numeric, roundoff, kinks = np.empty(len(flat)), np.empty(len(flat)), 0
    for k, j in enumerate(flat):
        plus, plus_size = probe.loss_nudged(j, STEP)
        pattern = probe.kink_pattern()
        minus, minus_size = probe.loss_nudged(j, -STEP)
        kinks += bool((pattern != probe.kink_pattern()).any())
        numeric[k] = (plus - minus) / (2 * STEP)
        roundoff[k] = EPSILON * (plus_size + minus_size) / (2 * STEP)
    return numeric, roundoff, kinks
