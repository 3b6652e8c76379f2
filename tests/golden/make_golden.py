"""Write the golden traces: small float64 runs recomputed in PyTorch, independently of the engine.

PyTorch is not a dependency of Backprop Lab; this script runs in a separate venv. To rerun it:

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl numpy
    /tmp/torchvenv/bin/pip install pydantic orjson
    /tmp/torchvenv/bin/pip install -e /work/main --no-deps
    /tmp/torchvenv/bin/python tests/golden/make_golden.py          # all runs
    /tmp/torchvenv/bin/python tests/golden/make_golden.py adam_gelu_bn   # only the named runs

(any PyTorch with float64 on CPU will do; the wheel above is this machine's local copy.) To take
the inputs from a committed engine while the working tree's is being changed, export it and put
it first on the path: `git archive HEAD engine | tar -x -C /tmp/enginesnap`, then run the script
from outside the checkout with PYTHONPATH=/tmp/enginesnap.

From the engine it takes the run's INPUTS only, through the public API: the normalized config,
the data after feature expansion, the initial parameters, each step's batch indices and the live
events. Everything else (forward, loss, backward, penalties, clipping, optimizer update, batch
norm's running statistics, eval-mode losses) is computed here with torch.nn.functional,
torch.nn.utils and torch.optim, following DESIGN.md's conventions, and written with the inputs
to tests/golden/<name>.json (the runs are listed in runs.py), so tests/engine/test_golden.py
needs neither PyTorch nor this script. Batch norm's running mean and var are written per step for
reference; the test checks them through the eval-mode losses, the engine's public view of them.
Floats are written with repr (exact float64 round trip); nothing is rounded.
"""
import copy
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from engine import Trainer
from runs import RUNS  # tests/golden/runs.py: this folder is on sys.path when the script runs

HERE = Path(__file__).resolve().parent
torch.set_default_dtype(torch.float64)


# --- the engine: inputs only -----------------------------------------------------------------

def engine_inputs(config: dict, n_steps: int, events: dict) -> dict:
    """Run the engine for the inputs the reference needs: normalized config, data, initial params,
    batches, events. Nothing it computed beyond those is used."""
    trainer = Trainer(config, snapshot_every=1)
    for k in range(1, n_steps + 1):
        assert trainer.step().applied, f"engine refused step {k}"
        if k in events:
            trainer.reconfigure(events[k])
    trace = trainer.export_trace()
    steps = trace["steps"]
    assert [s["step"] for s in steps] == list(range(1, n_steps + 1))
    return {
        "config": trace["config"],
        "events": [{"step": int(e["step"]), "config": e["config"]} for e in trace["events"]],
        "data": {k: np.asarray(v) for k, v in trace["data"].items()},
        "initial_params": [{k: np.asarray(v, dtype=np.float64) for k, v in p.items()}
                           for p in trace["initial"]["params"]],
        "batches": [np.asarray(s["batch"], dtype=np.int64) for s in steps],
    }


# --- the reference, in torch, from DESIGN.md's conventions -----------------------------------

ACT = {
    "linear": lambda z: z,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": F.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, negative_slope=0.01),
    "elu": lambda z: F.elu(z, alpha=1.0),
    "gelu": lambda z: F.gelu(z, approximate="tanh"),
    "softplus": lambda z: F.softplus(z, beta=1.0),
    "silu": F.silu,
}


def merge(base: dict, partial: dict) -> dict:
    """Deep merge of a partial config (lists replaced whole), as DESIGN.md describes."""
    out = copy.deepcopy(base)
    for k, v in partial.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


class Reference:
    """The network of a config as torch tensors: per-layer leaf parameters, in the trace's order."""

    def __init__(self, config: dict, initial_params: list):
        net = config["network"]
        self.hidden = net["hidden"]
        self.batch_norm, self.residual = net["batch_norm"], net["residual"]
        assert net["dropout"] == 0.0, "dropout is not replayed"
        self.params = [{k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in p.items()}
                       for p in initial_params]
        self.kinds = []  # per entry: dense, batch_norm, conv2d, max_pool or avg_pool
        for layer in self.hidden:
            self.kinds.append(layer.get("kind", "dense"))
            if self.batch_norm:
                self.kinds.append("batch_norm")
        self.kinds.append("dense")
        assert len(self.kinds) == len(self.params)
        keys = {"dense": {"W", "b"}, "batch_norm": {"gamma", "beta"}, "conv2d": {"K", "b"}}
        for kind, p in zip(self.kinds, self.params):
            assert set(p) == keys.get(kind, set())
        self.running = [(torch.zeros(layer["units"]), torch.ones(layer["units"])) for layer in self.hidden
                        if self.batch_norm]

    def tensors(self) -> list:
        return [t for p in self.params for t in p.values()]

    def weights(self) -> list:
        """The penalized tensors: every dense W and conv K."""
        return [p[key] for kind, p in zip(self.kinds, self.params) for key in ("W", "K") if key in p]

    def layer(self, layer: dict, p: dict, h: torch.Tensor) -> torch.Tensor:
        """One hidden layer's z: torch's conv2d and pools, or a dense layer flattening maps in (C, H, W) order."""
        kind = layer.get("kind", "dense")
        if kind == "conv2d":
            return F.conv2d(h, p["K"], p["b"], stride=layer["stride"], padding=layer["padding"])
        if kind == "max_pool":
            return F.max_pool2d(h, layer["size"])
        if kind == "avg_pool":
            return F.avg_pool2d(h, layer["size"])
        return h.flatten(1) @ p["W"] + p["b"]

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        """h = act(BN(h_prev @ W + b)) (+ h_prev where widths match, hidden to hidden), or conv2d and
        pools on images; linear output."""
        entry, h = 0, x
        for i, layer in enumerate(self.hidden):
            p = self.params[entry]
            z = self.layer(layer, p, h)
            entry += 1
            if self.batch_norm:
                bn = self.params[entry]
                mean, var = self.running[i]
                z = F.batch_norm(z, mean, var, bn["gamma"], bn["beta"], training=training,
                                 momentum=0.1, eps=1e-5)  # updates mean, var in place when training
                entry += 1
            a = ACT[layer.get("activation") or "linear"](z)  # a pool has none
            if self.residual and i > 0 and self.hidden[i - 1].get("units") == layer.get("units"):
                a = a + h
            h = a
        p = self.params[entry]
        return h.flatten(1) @ p["W"] + p["b"]


def loss_fn(name: str, out: torch.Tensor, y: np.ndarray) -> torch.Tensor:
    if name == "bce":
        return torch.nn.BCEWithLogitsLoss()(out[:, 0], torch.tensor(y, dtype=torch.float64))
    if name == "cross_entropy":
        return torch.nn.CrossEntropyLoss()(out, torch.tensor(y, dtype=torch.int64))
    if name == "mse":
        return torch.nn.MSELoss()(out[:, 0], torch.tensor(y, dtype=torch.float64))
    raise ValueError(name)


def make_optimizer(params: list, hp: dict) -> torch.optim.Optimizer:
    """DESIGN.md's mapping onto torch.optim; each reads only its own fields."""
    name, lr = hp["optimizer"], hp["learning_rate"]
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=hp["momentum"], dampening=0.0,
                               nesterov=name == "nesterov")
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=hp["rho"], eps=hp["eps"], momentum=0.0)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"])
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                                 weight_decay=hp["weight_decay"])
    raise ValueError(name)


def set_hyperparameters(optimizer: torch.optim.Optimizer, hp: dict) -> None:
    """A live change of the optimizer's own fields (state kept, as torch keeps it)."""
    name, group = hp["optimizer"], optimizer.param_groups[0]
    group["lr"] = hp["learning_rate"]
    if name in ("momentum", "nesterov"):
        group["momentum"] = hp["momentum"]
    elif name == "rmsprop":
        group["alpha"], group["eps"] = hp["rho"], hp["eps"]
    elif name in ("adam", "adamw"):
        group["betas"], group["eps"] = (hp["beta1"], hp["beta2"]), hp["eps"]
        if name == "adamw":
            group["weight_decay"] = hp["weight_decay"]


def arrays(params: list, attr=None) -> list:
    return [{k: (getattr(t, attr) if attr else t).detach().numpy().copy() for k, t in p.items()}
            for p in params]


def reference_run(inputs: dict) -> dict:
    """Replay the run in torch from the engine's inputs; per step the loss, grads as used, params after."""
    config, data = inputs["config"], inputs["data"]
    events = {e["step"]: e["config"] for e in inputs["events"]}
    model = Reference(config, inputs["initial_params"])
    x_train = torch.tensor(data["x_train"], dtype=torch.float64)
    hp = config["training"]
    optimizer = make_optimizer(model.tensors(), hp)
    steps, clipped = [], 0
    for k, batch in enumerate(inputs["batches"], start=1):
        optimizer.zero_grad(set_to_none=False)
        out = model.forward(x_train[torch.tensor(batch)], training=True)
        loss = loss_fn(hp["loss"], out, data["y_train"][batch])
        loss.backward()
        with torch.no_grad():
            for w in model.weights():  # penalties on W and K only, before clipping
                w.grad += hp["l1"] * torch.sign(w) + hp["l2"] * w
            if hp["clip"] == "norm":
                norm = torch.nn.utils.clip_grad_norm_(model.tensors(), hp["clip_threshold"])
                clipped += bool(norm > hp["clip_threshold"])
            elif hp["clip"] == "value":
                before = [t.grad.clone() for t in model.tensors()]
                torch.nn.utils.clip_grad_value_(model.tensors(), hp["clip_threshold"])
                clipped += any(not torch.equal(b, t.grad) for b, t in zip(before, model.tensors()))
        grads = arrays(model.params, "grad")
        optimizer.step()
        steps.append({"step": k, "batch": batch.tolist(), "loss": float(loss.item()),
                      "grads": grads, "params": arrays(model.params),
                      "running": [{"mean": m.numpy().copy(), "var": v.numpy().copy()} for m, v in model.running]
                      if model.batch_norm else None})
        if k in events:
            new_hp = merge(config, events[k])["training"]
            config = merge(config, events[k])
            if new_hp["optimizer"] != hp["optimizer"]:
                optimizer = make_optimizer(model.tensors(), new_hp)  # fresh state, as the engine resets it
            else:
                set_hyperparameters(optimizer, new_hp)
            hp = new_hp
    with torch.no_grad():  # eval mode (running statistics) on the full sets, after the last step
        final = {}
        for split in ("train", "test"):
            out = model.forward(torch.tensor(data[f"x_{split}"], dtype=torch.float64), training=False)
            final[f"{split}_loss"] = float(loss_fn(hp["loss"], out, data[f"y_{split}"]).item())
    return {"steps": steps, "final_eval": final, "clipped_steps": clipped}


# --- output ------------------------------------------------------------------------------------

def plain(value):
    """NumPy arrays and scalars -> lists and Python numbers (float64 kept exact by json's repr)."""
    if isinstance(value, np.ndarray):
        assert value.dtype.kind in "iuf" and (value.dtype.kind != "f" or np.isfinite(value).all())
        return value.tolist()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def main(names: list) -> None:
    for name in names or RUNS:
        covers, config, n_steps, events = RUNS[name]
        inputs = engine_inputs(config, n_steps, events)
        ref = reference_run(inputs)
        golden = {
            "name": name, "covers": covers,
            "generator": "tests/golden/make_golden.py", "torch": torch.__version__,
            "config": inputs["config"], "events": inputs["events"], "n_steps": n_steps,
            "data": inputs["data"], "initial_params": inputs["initial_params"],
            "clipped_steps": ref["clipped_steps"], "final_eval": ref["final_eval"],
            "steps": ref["steps"],
        }
        path = HERE / f"{name}.json"
        path.write_text(json.dumps(plain(golden), separators=(",", ":")) + "\n")
        print(f"{name}: {n_steps} steps, {len(inputs['events'])} events, clipped on {ref['clipped_steps']} "
              f"steps, final eval {ref['final_eval']}, {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main(sys.argv[1:])
