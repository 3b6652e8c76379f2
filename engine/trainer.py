"""The Trainer: one run of one config, stepped whole or phase by phase, every step recorded."""
import math
from dataclasses import dataclass, field

import numpy as np

from .batches import BatchSampler
from .config import Config, ConfigError, live_changes, merge, rebuild_fields, validate_config
from .data import load_data
from .detail import detail
from .explain import explain
from .divergence import locate_nonfinite
from .losses import LOSSES
from .network import Network, build_entries
from .optimizers import OPTIMIZERS
from .regularization import CLIPS, global_norm, penalize
from .recorder import TraceRecorder
from .stats import layer_stats
from .trace import _params, export_trace, snapshot

STREAMS = {"data": 0, "init": 1, "order": 2, "dropout": 3}


@dataclass
class StepRecord:
    """What one step did; `layers` holds stats.LAYER_STATS per entry: (n_entries, 10)."""
    step: int  # the step's number (steps done once it is applied)
    epoch: int  # epochs completed after it
    loss: float  # minibatch data loss before the update
    accuracy: float | None  # minibatch accuracy before the update (classification)
    batch: np.ndarray
    layers: np.ndarray
    clip_norm_before: float
    clip_norm_after: float
    applied: bool  # False: refused whole because something was not finite
    nonfinite: dict | None = None  # where the first non-finite value appeared


@dataclass
class PhaseRecord:
    """One phase of a step: what it computed, by name."""
    phase: str  # forward, loss, backward or update
    layer: int | None  # index into `layers`; None for loss and update
    step: int  # the step in progress
    tensors: dict = field(default_factory=dict)
    record: StepRecord | None = None  # on the update phase


@dataclass
class Reconfigured:
    rebuilt: bool
    fields: list  # the changed fields that forced the rebuild


class Trainer:
    """Trains one network on one dataset; `step`, `phase`, `run`, `reconfigure`, `evaluate`."""

    def __init__(self, config=None, snapshot_every: int = 100, statistics: bool = True,
                 data=None, **recorder_caps):
        """`statistics=False` skips per-step statistics and recording (a bare trainer, for
        benchmarks); `data` replaces the configured dataset (e.g. random 784-input data)."""
        self.config = config if isinstance(config, Config) else validate_config(
            {} if config is None else config)
        self.snapshot_every, self.recorder_caps = snapshot_every, recorder_caps
        self.statistics, self.data_override = statistics, data
        self._build()

    def _build(self) -> None:
        """Start a new run at step 0 from self.config."""
        c = self.config
        dtype = np.dtype(c.training.dtype)
        self.data = self.data_override or load_data(c.dataset, c.seed, STREAMS["data"], dtype)
        self.loss = LOSSES[c.training.loss]
        self.targets = self.data.y_train if self.loss.int_targets else self.data.y_train.astype(dtype)
        self.test_targets = self.data.y_test if self.loss.int_targets else self.data.y_test.astype(dtype)
        outputs = self.loss.outputs(self.data.n_classes)
        self.entries = build_entries(self.data.x_train.shape[1], outputs, c.network)
        self.net = Network(self.entries, c.network,
                           np.random.default_rng([c.seed, STREAMS["init"]]), dtype)
        self.sampler = BatchSampler(len(self.data.x_train), c.seed, STREAMS["order"],
                                    drop_single=c.network.batch_norm)
        self.dropout_rng = np.random.default_rng([c.seed, STREAMS["dropout"]])
        self._reset_optimizer()
        self.initial_config = c
        self.initial_params = _params(self.net.store.views(self.net.store.theta.copy()), self.entries)
        self.recorder = TraceRecorder(len(self.entries), snapshot_every=self.snapshot_every,
                                      **self.recorder_caps)
        self.steps = 0
        self.requested = c  # the config to apply once the step in progress ends
        self.events = []  # live changes: {"step", "config"}
        self.nonfinite = None  # the run's first non-finite value, once seen
        self.last_update = np.zeros_like(self.net.store.theta)
        self.last_used_grad = np.zeros_like(self.net.store.theta)
        self.last_record = None
        self._cycle_in_progress = None

    def _reset_optimizer(self) -> None:
        """Fresh state for the configured optimizer (zeros, as torch.optim starts)."""
        optimizer = OPTIMIZERS[self.config.training.optimizer]
        self.optimizer_state = {slot: np.zeros_like(self.net.store.theta) for slot in optimizer.slots}
        self.previous_optimizer_state = dict(self.optimizer_state)
        self.optimizer_steps = 0

    @property
    def epoch(self) -> int:
        """Epochs completed."""
        return self.sampler.epoch

    @property
    def layers(self) -> list[dict]:
        """The trace's `layers`: one dict per entry."""
        return [e.describe() for e in self.entries]

    def step(self) -> StepRecord:
        """One minibatch update (finishing the step in progress first, if phases began one)."""
        cycle, self._cycle_in_progress = self._cycle_in_progress, None
        cycle = cycle or self._cycle(describe=False)
        with np.errstate(all="ignore"):  # non-finite values are data: the step is refused, not raised
            while True:
                try:
                    next(cycle)
                except StopIteration as done:
                    return done.value

    def run(self, n: int) -> StepRecord | None:
        """Up to n steps, stopping early at a refused (non-finite) step; returns the last record."""
        record = None
        for _ in range(n):
            record = self.step()
            if not record.applied:
                break
        return record

    def phase(self) -> PhaseRecord:
        """Advance one phase of the step in progress (starting one if none is) and describe it."""
        if self._cycle_in_progress is None:
            self._cycle_in_progress = self._cycle(describe=True)
        with np.errstate(all="ignore"):
            record = next(self._cycle_in_progress)
        if record.phase == "update":
            self.step()  # runs the cycle's last lines, which only return
        return record

    @property
    def mid_step(self) -> bool:
        """Whether phases have begun a step that has not reached its update."""
        return self._cycle_in_progress is not None

    def _cycle(self, describe: bool):
        """One step as a generator of phases (yielding PhaseRecords when describing); returns its StepRecord."""
        hp, net, store, number = self.config.training, self.net, self.net.store, self.steps + 1
        batch = self.sampler.peek(hp.batch_size)
        x, y = self.data.x_train[batch], self.targets[batch]
        rng_state = self.dropout_rng.bit_generator.state if self.config.network.dropout else None
        h = x
        for i in range(len(net.entries)):
            h = net.forward_entry(i, h, self.dropout_rng)
            if describe:
                yield self._describe("forward", i, number)
        losses = self.loss.per_example(h, y)
        loss = float(losses.sum()) / len(batch)
        d = self.loss.backward(h, y)
        if describe:
            yield PhaseRecord("loss", None, number, {"output": h, "losses": losses, "dout": d})
        for i in reversed(range(len(net.entries))):
            d = net.backward_entry(i, d)
            if describe:
                yield self._describe("backward", i, number)
        g = penalize(store.grad, store.theta, net.weight_mask, hp.l1, hp.l2)
        norm_before = global_norm(g)
        used = CLIPS[hp.clip].apply(g, norm_before, hp.clip_threshold)
        norm_after = norm_before if used is g else global_norm(used)
        update, new_state = OPTIMIZERS[hp.optimizer].propose(
            store.theta, used, self.optimizer_state, hp, self.optimizer_steps + 1)
        new_theta = store.theta + update
        stats = layer_stats(net, update) if self.statistics else None
        applied = (math.isfinite(loss) and math.isfinite(norm_before)
                   and bool(np.isfinite(new_theta).all()) and net.batch_statistics_finite()
                   and all(np.isfinite(s).all() for s in new_state.values()))
        nonfinite = None
        if applied:
            np.copyto(store.theta, new_theta)
            self.previous_optimizer_state = dict(self.optimizer_state)  # its arrays are replaced, not changed
            self.optimizer_state.update(new_state)
            self.optimizer_steps += 1
            net.commit_running_stats()
            self.sampler.advance(len(batch))
            self.steps = number
            self.last_update, self.last_used_grad = update, used
        else:
            if rng_state is not None:
                self.dropout_rng.bit_generator.state = rng_state
            nonfinite = locate_nonfinite(net, number, loss, update, new_theta, new_state)
            self.nonfinite = self.nonfinite or nonfinite
        accuracy = (np.count_nonzero(self.loss.predict(h) == self.data.y_train[batch]) / len(batch)
                    if self.data.task == "classification" else None)
        record = StepRecord(number, self.epoch, loss, accuracy, batch, stats,
                            norm_before, norm_after, applied, nonfinite)
        self.last_record = record
        if applied and self.statistics:
            self.recorder.record(record)
            if self.recorder.wants_snapshot(number):
                self.recorder.add_snapshot(snapshot(self, detail(self)))
        self._apply_requested()
        if describe:
            yield PhaseRecord("update", None, number, self._describe_update(update), record)
        return record

    def _describe(self, phase: str, i: int, number: int) -> PhaseRecord:
        """The tensors entry i's forward or backward computed, by name."""
        c, e = self.net.cache[i], self.entries[i]
        if phase == "forward":
            keys = ("x", "x_hat", "z", "a")
        else:
            keys = ("da", "dz", "dx")
        tensors = {k: c[k] for k in keys if k in c}
        if phase == "backward":
            _, _, dweight, dbias = self.net.layer(i)
            names = ("dW", "db") if e.kind == "dense" else ("dgamma", "dbeta")
            tensors.update({names[0]: dweight.copy(), names[1]: dbias.copy()})
        return PhaseRecord(phase, i, number, tensors)

    def _describe_update(self, update) -> dict:
        """ΔW and Δb (or Δγ, Δβ) of every entry, by parameter name."""
        return {name: view.copy() for name, view in self.net.store.views(update).items()}

    def reset(self) -> None:
        """Start a new run of the config in force (live changes requested included), at step 0."""
        self.config = self.requested
        self._build()

    def reconfigure(self, partial: dict) -> Reconfigured:
        """Merge a partial config: live fields apply after the step in progress; others rebuild."""
        if not isinstance(partial, dict):
            raise ConfigError("", f"a partial config must be a JSON object (got {type(partial).__name__})")
        target = validate_config(merge(self.requested.model_dump(), partial))
        fields = rebuild_fields(self.config, target)
        if fields:
            self.config = target
            self._build()
            return Reconfigured(True, fields)
        self.requested = target
        if not self.mid_step:
            self._apply_requested()
        return Reconfigured(False, [])

    def _apply_requested(self) -> None:
        """Put requested live changes in force and record them as an event at this step."""
        if self.requested is self.config:
            return
        changes = live_changes(self.config, self.requested)
        if not changes:
            self.requested = self.config
            return
        optimizer_changed = self.requested.training.optimizer != self.config.training.optimizer
        self.config = self.requested
        if optimizer_changed:
            self._reset_optimizer()
        for e in self.entries[:-1]:
            if e.post is not None:
                e.post.dropout = self.config.network.dropout
        self.events.append({"step": self.steps, "config": changes})

    def export_trace(self) -> dict:
        """DESIGN.md's trace of this run: config at step 0, data, events, steps, snapshots."""
        return export_trace(self)

    def detail(self, planes: bool = True) -> dict:
        """The panels' detail for the current state (histograms, tensors; output and neuron maps
        with `planes`)."""
        return detail(self, planes)

    def explain(self, layer: int, row: int, column: int, example: int = 0) -> dict:
        """One weight's gradient as the chain rule builds it, term by term (engine.explain)."""
        return explain(self, layer, row, column, example)

    def evaluate(self) -> dict:
        """Full-set loss and accuracy (eval mode) on train and test: {train_loss, train_accuracy, ...}."""
        result = {}
        for split, x, y, labels in (("train", self.data.x_train, self.targets, self.data.y_train),
                                    ("test", self.data.x_test, self.test_targets, self.data.y_test)):
            with np.errstate(all="ignore"):
                out, _ = self.net.evaluate(x)
                result[f"{split}_loss"] = float(self.loss.per_example(out, y).mean())
            result[f"{split}_accuracy"] = (float(np.mean(self.loss.predict(out) == labels))
                                           if self.data.task == "classification" else None)
        return result
