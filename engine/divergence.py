"""Finding where, in the order the phases run, a non-finite value first appeared."""
import numpy as np

ADVICE = "lower the learning rate or turn on gradient clipping"  # what to do about a refused step


def _finite(array) -> bool:
    """Whether every element is finite."""
    return bool(np.isfinite(array).all())


def _forward_quantities(entry, tape) -> dict:
    """Entry's forward tensors in the order computed: the layer's own checks, z, then a."""
    return {**entry.layer.forward_checks(tape.cache), "z": tape.z, "a": tape.a}


def locate_nonfinite(net, step: int, loss: float, update, new_theta, new_state: dict) -> dict:
    """{step, phase, layer, layer_name, quantity} of the first non-finite value of a refused step."""
    def found(phase, i, quantity):
        return {"step": step, "phase": phase, "layer": i,
                "layer_name": None if i is None else net.entries[i].name, "quantity": quantity}

    for i, (e, tape) in enumerate(zip(net.entries, net.tapes)):
        for q, value in _forward_quantities(e, tape).items():
            if value is not None and not _finite(value):
                return found("forward", i, q)
    if not np.isfinite(loss):
        return found("loss", None, "loss")
    updates, params = net.store.views(update), net.store.views(new_theta)
    for i in reversed(range(len(net.entries))):
        tape = net.tapes[i]
        for q, value in (("da", tape.da), ("dz", tape.dz)):
            if value is not None and not _finite(value):
                return found("backward", i, q)
        for key, grad in net.grads[i].items():
            if not _finite(grad):
                return found("backward", i, "d" + key)
    states = {slot: net.store.views(state) for slot, state in new_state.items()}
    for i, e in enumerate(net.entries):
        for key, name in e.param_names.items():
            if not _finite(updates[name]):
                return found("update", i, "Δ" + key)
            if not _finite(params[name]):
                return found("update", i, key)
            for slot, views in states.items():
                if not _finite(views[name]):
                    return found("update", i, f"{slot}.{key}")
    return found("update", None, "gradient norm")


def describe_nonfinite(nonfinite: dict) -> str:
    """Where a refused step's first non-finite value appeared, said once: "the loss",
    "dense3's z (forward pass)", "dense1's dW (backward pass)", "the gradient norm (update)"."""
    phase, name, quantity = nonfinite["phase"], nonfinite["layer_name"], nonfinite["quantity"]
    if phase == "loss":
        return "the loss"
    owner = f"{name}'s {quantity}" if name else f"the {quantity}"
    return f"{owner} ({phase} pass)" if phase in ("forward", "backward") else f"{owner} ({phase})"
