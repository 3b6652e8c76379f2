"""Finding where, in the order the phases run, a non-finite value first appeared."""
import numpy as np

FORWARD_QUANTITIES = ("mean", "var", "z", "a")  # batch norm's batch statistics first
BACKWARD_QUANTITIES = ("da", "dz")


def _finite(array) -> bool:
    """Whether every element is finite."""
    return bool(np.isfinite(array).all())


def locate_nonfinite(net, step: int, loss: float, update, new_theta, new_state: dict) -> dict:
    """{step, phase, layer, layer_name, quantity} of the first non-finite value of a refused step."""
    def found(phase, i, quantity):
        return {"step": step, "phase": phase, "layer": i,
                "layer_name": None if i is None else net.entries[i].name, "quantity": quantity}

    for i, c in enumerate(net.cache):
        for q in FORWARD_QUANTITIES:
            if q in c and not _finite(c[q]):
                return found("forward", i, q)
    if not np.isfinite(loss):
        return found("loss", None, "loss")
    grads, updates, params = net.store.grads, net.store.views(update), net.store.views(new_theta)
    for i in reversed(range(len(net.entries))):
        c, names = net.cache[i], net.entries[i].param_names
        for q in BACKWARD_QUANTITIES:
            if q in c and not _finite(c[q]):
                return found("backward", i, q)
        for name in names:
            if not _finite(grads[name]):
                return found("backward", i, "d" + name.split(".")[1])
    for i, e in enumerate(net.entries):
        for name in e.param_names:
            key = name.split(".")[1]
            if not _finite(updates[name]):
                return found("update", i, "Δ" + key)
            if not _finite(params[name]):
                return found("update", i, key)
            for slot, state in new_state.items():
                if not _finite(net.store.views(state)[name]):
                    return found("update", i, f"{slot}.{key}")
    return found("update", None, "gradient norm")
