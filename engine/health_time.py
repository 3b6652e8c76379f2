"""Health badges through time, for nets with recurrent entries: the gradient that reaches the
first time step, ‖dL/dh_1‖, against the one at the last, ‖dL/dh_T‖, read off the recent steps.
Vanishing is judged on plain rnn layers only: an LSTM carries its memory in its cell c, so a small
‖dL/dh_1‖ does not mean the first step is forgotten (a learned LSTM shows 1e-5 while it remembers)."""
import numpy as np

TIME_RULES = {
    "vanishing_through_time": {
        "label": "Vanishing through time", "threshold": 1e-2,
        "source": "Bengio, Simard & Frasconi (1994); Pascanu, Mikolov & Bengio (2013)",
        "why": "‖dL/dh_1‖ is over 100× below ‖dL/dh_T‖ in an rnn layer (an LSTM is not judged: its "
               "memory runs in its cell c, which ‖dL/dh_t‖ does not measure): the first time steps "
               "barely shape the weights, so long-range dependencies are not learned",
        "try": "an LSTM, orthogonal or identity recurrent_init (IRNN), or shorter sequences"},
    "exploding_through_time": {
        "label": "Exploding through time", "threshold": 100.0,
        "source": "Pascanu, Mikolov & Bengio (2013)",
        "why": "‖dL/dh_1‖ is over 100× above ‖dL/dh_T‖ in a recurrent layer: the gradient grows as it "
               "goes back in time, and the updates it drives are unstable",
        "try": "gradient clipping, a smaller recurrent init gain, or shorter sequences"},
}

NOT_JUDGED = "judged on rnn layers only; an lstm keeps its memory in its cell c, beyond ‖dL/dh_t‖"


def first_to_last(signals) -> np.ndarray:
    """‖dL/dh_1‖ / ‖dL/dh_T‖ per row and recurrent entry from signals (n, R, T): (n, R), NaN
    where ‖dL/dh_T‖ is 0 or either is not finite."""
    first, last = signals[..., 0], signals[..., -1]
    with np.errstate(all="ignore"):
        ratio = first / last
    return np.where(np.isfinite(ratio) & (last > 0), ratio, np.nan)


def time_badges(trainer, rows, badge, median) -> None:
    """Append the through-time badges for the recorder's rows (n, width) (none without recurrent
    entries): the median ratio per recurrent entry over the rows, the worst one as the value."""
    layout = trainer.recorder.time_layout
    if layout is None or not layout.entries:
        return
    if len(rows) == 0:
        for rule in TIME_RULES:
            badge(rule, None)
        return
    signals, _ = trainer.recorder.time_values(rows)
    ratios = median(first_to_last(signals))
    plain = np.array([trainer.entries[i].layer.kind == "rnn" for i in layout.entries])
    for rule, judged, worst, beyond in (
            ("vanishing_through_time", plain, np.nanmin,
             lambda r: r < TIME_RULES["vanishing_through_time"]["threshold"]),
            ("exploding_through_time", np.ones_like(plain), np.nanmax,
             lambda r: r > TIME_RULES["exploding_through_time"]["threshold"])):
        if not judged.any():
            badge(rule, None, reason=NOT_JUDGED)
            continue
        finite = np.isfinite(ratios) & judged
        if not finite.any():
            badge(rule, None, reason="no gradient through time yet")
            continue
        flagged = [layout.entries[k] for k in range(len(ratios)) if finite[k] and beyond(ratios[k])]
        badge(rule, bool(flagged), worst(ratios[finite]), flagged)
