"""Health badges: named conditions read off the recent per-step statistics, each with its
threshold, where the threshold comes from, why it matters and what to try."""
import warnings

import numpy as np

from .divergence import describe_nonfinite
from .health_time import TIME_RULES, time_badges
from .health_words import headline
from .recorder import STEP_SCALARS
from .stats import LAYER_STATS

WINDOW = 200  # recent recorded steps the badges read
GROWTH_FLOOR = 1e-6  # exploding: an early global gradient norm counts as at least this much

RULES = {
    "vanishing": {
        "label": "Vanishing gradients", "threshold": 1e-2,
        "source": "Glorot & Bengio (2010); Hochreiter (1991)",
        "why": "the first layer's ‖dW‖ is over 100× below the last layer's: early layers barely learn",
        "try": "ReLU with He init, batch norm, or residual connections"},
    "exploding": {
        "label": "Exploding gradients", "threshold": 100.0,
        "source": "Pascanu, Mikolov & Bengio (2013)",
        "why": "the global gradient norm grew over 100× within the recent steps",
        "try": "a lower learning rate, gradient clipping, or a smaller init gain"},
    "saturated": {
        "label": "Saturated units", "threshold": 0.5,
        "source": "LeCun et al., Efficient BackProp (1998)",
        "why": "over half of a tanh/sigmoid layer's outputs sit in the flat tails, where the derivative is near 0",
        "try": "a smaller init gain, standardized inputs, or batch norm"},
    "dead": {
        "label": "Dead ReLUs", "threshold": 0.5,
        "source": "CS231n, Neural Networks Part 1",
        "why": "over half of a ReLU layer's units output 0 for whole batches and pass no gradient",
        "try": "a lower learning rate, leaky_relu, or He init"},
    "update_ratio": {
        "label": "Update/weight ratio", "threshold": [1e-5, 1e-1],
        "source": "CS231n, Neural Networks Part 3 (about 1e-3 is healthy)",
        "why": "weights change by less than 1e-5 or more than 1e-1 of their size per step: stalled or unstable",
        "try": "scale the learning rate toward a ratio near 1e-3"},
    "diverged": {
        "label": "Diverged", "threshold": "any non-finite value",
        "source": "IEEE 754: an overflow becomes inf, then NaN",
        "why": "a step produced a non-finite value and was refused",
        "try": "lower the learning rate or turn on clipping"},
}


def _median(values, axis=0):
    """Median ignoring NaN, NaN where nothing is finite (no warning)."""
    values = np.where(np.isfinite(values), values, np.nan)
    with warnings.catch_warnings():  # an all-NaN column (a scalar that does not apply) is NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(values, axis=axis)


def health(trainer) -> list[dict]:
    """Every rule's badge: {id, label, status ("ok" | "warn" | "unknown"), headline (its words for
    that status), value, layers, threshold, source, why, try} from the last WINDOW recorded steps; a
    net with recurrent entries adds the TIME_RULES badges after `diverged`."""
    rec, entries = trainer.recorder, trainer.entries
    rows = rec.value[max(0, rec.rows - WINDOW):rec.rows]
    n = len(entries)
    layers = rec.layer_values(rows)
    stat = {name: layers[:, :, k] for k, name in enumerate(LAYER_STATS)}
    dense = [i for i, e in enumerate(entries) if e.weighted]
    out = []

    def badge(rule, warn, value=None, layer_ids=(), reason="no steps yet", direction=""):
        status = "unknown" if warn is None else ("warn" if warn else "ok")
        names = [entries[i].name for i in layer_ids]
        out.append({"id": rule, **(RULES.get(rule) or TIME_RULES[rule]), "status": status,
                    "headline": headline(rule, status, names, reason, direction),
                    "value": None if value is None or not np.isfinite(value) else float(value),
                    "layers": names})

    if len(rows) == 0:
        for rule in RULES:
            if rule != "diverged":  # a first step can be refused: that run has no rows but diverged
                badge(rule, None)
        _diverged(trainer, badge, out)
        time_badges(trainer, rows, badge, _median)
        return out
    grads = _median(stat["grad_norm"][:, dense])
    ratio = grads[0] / grads[-1] if len(dense) > 1 and grads[-1] > 0 else np.nan
    badge("vanishing", None if not np.isfinite(ratio) else ratio < RULES["vanishing"]["threshold"],
          ratio, [dense[0]] if np.isfinite(ratio) and ratio < RULES["vanishing"]["threshold"] else [],
          "needs two weighted layers" if len(dense) < 2 else "no gradient yet")
    # steps with no gradient at all (a zero norm, e.g. a balanced batch on a zero init) are no scale
    # to grow from; and growth among negligible norms (1e-35 to 1e-33) is noise, hence the floor
    norm = rows[:, STEP_SCALARS.index("clip_norm_before")]
    norm = np.where(norm > 0, norm, np.nan)
    tenth = max(1, len(norm) // 10)
    growth = np.nan
    if len(norm) >= 20:
        early, late = _median(norm[:tenth, None])[0], _median(norm[-tenth:, None])[0]
        growth = late / max(early, GROWTH_FLOOR) if np.isfinite(early) and np.isfinite(late) else np.nan
    badge("exploding", None if not np.isfinite(growth) else growth > RULES["exploding"]["threshold"], growth,
          reason="needs 20 steps" if len(norm) < 20 else "no gradient yet")
    for rule, key, none in (("saturated", "saturated_fraction", "no tanh or sigmoid layer"),
                            ("dead", "dead_fraction", "no ReLU layer")):
        shares = _median(stat[key])
        applies = np.isfinite(shares)
        worst = np.nanmax(shares) if applies.any() else np.nan
        flagged = [i for i in range(n) if applies[i] and shares[i] > RULES[rule]["threshold"]]
        badge(rule, None if not applies.any() else bool(flagged), worst, flagged, none)
    ratios = _median(stat["update_ratio"][:, dense])
    lo, hi = RULES["update_ratio"]["threshold"]
    finite = np.isfinite(ratios)
    far = [dense[k] for k in range(len(dense)) if finite[k] and not lo <= ratios[k] <= hi]
    typical = float(np.exp(np.mean(np.log(ratios[finite & (ratios > 0)])))) if (finite & (ratios > 0)).any() else np.nan
    sides = {"low" if ratios[dense.index(i)] < lo else "high" for i in far}
    badge("update_ratio", None if not finite.any() else bool(far), typical, far,
          "no weighted layer" if not dense else "no update yet", sides.pop() if len(sides) == 1 else "")
    _diverged(trainer, badge, out)
    time_badges(trainer, rows, badge, _median)
    return out


def _diverged(trainer, badge, out) -> None:
    """The diverged badge: unknown before any step, warn while the last step was refused, naming
    where that step's first non-finite value appeared."""
    record = trainer.last_record
    if record is None:
        badge("diverged", None)
        return
    nonfinite = None if record.applied else (record.nonfinite or trainer.nonfinite)
    badge("diverged", nonfinite is not None, None,
          [nonfinite["layer"]] if nonfinite and nonfinite["layer"] is not None else [])
    if nonfinite is not None:
        out[-1]["why"] = (f"step {nonfinite['step']} was refused: a non-finite value appeared in "
                          f"{describe_nonfinite(nonfinite)}")
