"""The panels' detail of a recurrent entry: one example's hidden states and their gradients through
time (and an LSTM's gates), and the spectrum of W_h (per gate block for an LSTM)."""
import numpy as np

from .steps import EXAMPLE


def example_detail(trainer, i: int) -> dict | None:
    """Entry i's chosen example through time: {example, index (its row in the training set), h
    (T, H), dh (T, H) or None before the backward, gates {i, f, o} (T, H) or None}; None before
    any forward."""
    tape, record = trainer.net.tapes[i], trainer.last_record
    if tape.cache is None:
        return None
    states = trainer.entries[i].layer.example_through_time(tape.cache, EXAMPLE)
    batch = record.batch if record is not None and not trainer.mid_step else None
    return {"example": EXAMPLE, "index": None if batch is None else int(batch[EXAMPLE]),
            "h": states["h"], "dh": states["dh"], "gates": states.get("gates")}


def spectrum(trainer, i: int) -> dict:
    """W_h's eigenvalues and largest singular value, block by block (W_h, or the LSTM's i, f, g,
    o): {blocks [names], real [(H,)], imag [(H,)], spectral_radius [..], largest_singular [..]}."""
    blocks = trainer.entries[i].layer.spectrum_blocks(trainer.net.params[i])
    out = {"blocks": list(blocks), "real": [], "imag": [], "spectral_radius": [], "largest_singular": []}
    for block in blocks.values():
        w = block.astype(np.float64)
        finite = bool(np.isfinite(w).all())
        values = np.linalg.eigvals(w) if finite else np.full(len(w), np.nan, dtype=complex)
        order = np.lexsort((values.imag, values.real))  # a stable order for drawing and comparing
        out["real"].append(values.real[order])
        out["imag"].append(values.imag[order])
        out["spectral_radius"].append(float(np.abs(values).max()) if finite else float("nan"))
        out["largest_singular"].append(float(np.linalg.norm(w, 2)) if finite else float("nan"))
    return out
