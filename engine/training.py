"""The training core: one run of one config, stepped whole or phase by phase, every step recorded.

Read-only API (what detail, explain, trace export, health, the server and bench/ read; nothing
reads an attribute that starts with `_`):
  config, requested    the config in force, and the one to apply once the step in progress ends
  steps, epoch         steps applied, epochs completed
  mid_step             whether phases have begun a step that has not reached its update
  layers, entries      the trace's `layers` (dicts), and the network's Entry objects
  net                  the Network: `params[i]`, `grads[i]` by key, `tapes[i]`, `evaluate(x)`, `store`
  data, loss           the Data and the Loss in use
  sampler              the BatchSampler: `peek(n)` the examples of the next (or in-progress) step
  recorder             the TraceRecorder (every step's scalars, snapshots)
  metric_log           the EvaluationLog: full-set metrics on evaluations.due's schedule (when asked)
  last_record          the last step's StepRecord (applied or refused)
  last_step            the flat vectors the last step computed (StepValues), applied or refused
  last_update          the last applied step's Δθ (P,)
  optimizer_state      the optimizer's state {slot: (P,)} after the last applied step
  initial_config, initial_params, events, nonfinite
"""
import math
from dataclasses import dataclass, field

import numpy as np

from .batches import BatchSampler
from .config import Config, ConfigError, live_changes, merge, rebuild_fields, validate_config
from .data import load_data
from .divergence import locate_nonfinite
from .evaluations import EvaluationLog, due
from .losses import LOSSES, by_example
from .network import Network, build_entries
from .optimizers import OPTIMIZERS
from .param_edits import apply_edit, checked_edit
from .recorder import TraceRecorder
from .regularization import CLIPS, global_norm, penalize
from .stats import LayerStats
from .time_stats import TimeLayout, time_stats
from .steps import PhaseRecord, StepRecord, StepValues, describe_backward, describe_forward, relay_phases

STREAMS = {"data": 0, "init": 1, "order": 2, "dropout": 3}


@dataclass
class Reconfigured:
    rebuilt: bool
    fields: list  # the changed fields that forced the rebuild


class Training:
    """Trains one network on one dataset; `step`, `phase`, `run`, `reconfigure`, `set_param`, `reset`,
    `evaluate`."""

    def __init__(self, config=None, snapshot_every: int = 100, statistics: bool = True,
                 data=None, scheduled_metrics: bool = False, **recorder_caps):
        """`statistics=False` skips per-step statistics and recording (a bare trainer, for
        benchmarks); `data` replaces the configured dataset (e.g. random 784-input data);
        `scheduled_metrics` evaluates the full sets on evaluations.due's steps into `metric_log`."""
        self.config = config if isinstance(config, Config) else validate_config(
            {} if config is None else config)
        self.snapshot_every, self.recorder_caps = snapshot_every, recorder_caps
        self.statistics, self.data_override = statistics, data
        self.scheduled_metrics = scheduled_metrics
        self._build()

    def _build(self) -> None:
        """Start a new run at step 0 from self.config."""
        c = self.config
        dtype = np.dtype(c.training.dtype)
        self.loss = LOSSES[c.training.loss]
        self._load_data()
        self.data_version = 0  # bumped when the custom set's points change live
        outputs = self.loss.outputs(self.data.n_classes)
        self.entries = build_entries(self.data.x_train.shape[1:], outputs, c.network,
                                     many_to_one=self.data.input_kind == "sequence" and not self.data.many_to_many)
        self.net = Network(self.entries, c.network,
                           np.random.default_rng([c.seed, STREAMS["init"]]), dtype)
        self._stats = LayerStats(self.net)
        self._time_layout = TimeLayout(self.entries)
        self.sampler = BatchSampler(len(self.data.x_train), c.seed, STREAMS["order"],
                                     drop_single=c.network.batch_norm)
        self.dropout_rng = np.random.default_rng([c.seed, STREAMS["dropout"]])
        self._reset_optimizer()
        self.initial_config = c
        store = self.net.store
        self.initial_params = self.params_by_entry(store.views(store.theta.copy()))
        self.recorder = TraceRecorder(len(self.entries), snapshot_every=self.snapshot_every,
                                      time_layout=self._time_layout, **self.recorder_caps)
        self.steps = 0
        self.requested = c  # the config to apply once the step in progress ends
        self.events = []  # live changes: {"step", "config"} or {"step", "set_param"}
        self._edits = []  # parameter edits to apply once the step in progress ends
        self.nonfinite = None  # the run's first non-finite value, once seen
        self.last_update = np.zeros_like(store.theta)
        self.last_record = self.last_step = None
        self._cycle_in_progress = None
        self.metric_log = EvaluationLog()
        if self.scheduled_metrics:
            self.metric_log.record(0, self.evaluate())

    def _load_data(self) -> None:
        """The configured data, split, and its targets as the loss reads them."""
        c = self.config
        dtype = np.dtype(c.training.dtype)
        self.data = self.data_override or load_data(c.dataset, c.seed, STREAMS["data"], dtype)
        self.targets = self.data.y_train if self.loss.int_targets else self.data.y_train.astype(dtype)
        self.test_targets = self.data.y_test if self.loss.int_targets else self.data.y_test.astype(dtype)

    def _reset_optimizer(self) -> None:
        """Fresh state for the configured optimizer (zeros, as torch.optim starts)."""
        optimizer = OPTIMIZERS[self.config.training.optimizer]
        self.optimizer_state = {slot: np.zeros_like(self.net.store.theta) for slot in optimizer.slots}
        self.optimizer_steps = 0

    @property
    def epoch(self) -> int:
        """Epochs completed."""
        return self.sampler.epoch

    @property
    def layers(self) -> list[dict]:
        """The trace's `layers`: one dict per entry."""
        return [e.describe() for e in self.entries]

    @property
    def mid_step(self) -> bool:
        """Whether phases have begun a step that has not reached its update."""
        return self._cycle_in_progress is not None

    def params_by_entry(self, views: dict) -> list[dict]:
        """[{W, b} or {gamma, beta} per entry] from a name -> array mapping of the store's tensors."""
        return [{key: views[name] for key, name in e.param_names.items()} for e in self.entries]

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

    def _cycle(self, describe: bool):
        """One step as a generator of phases (yielding PhaseRecords when describing); returns its
        StepRecord. Both ways run the same layer code; describing walks each layer's phases."""
        hp, net, store, number = self.config.training, self.net, self.net.store, self.steps + 1
        batch = self.sampler.peek(hp.batch_size)
        x, y = self.data.x_train[batch], self.targets[batch]
        rng_state = self.dropout_rng.bit_generator.state if self.config.network.dropout else None
        h = x
        for i in range(len(net.entries)):
            if describe:
                h = yield from relay_phases(net, "forward", i, number, net.forward_steps(i, h, self.dropout_rng))
                yield describe_forward(net, i, number)
            else:
                h = net.forward(i, h, self.dropout_rng)
        out, targets = by_example(h, y)
        losses = self.loss.per_example(out, targets)
        loss = float(losses.sum()) / len(losses)
        d = self.loss.backward(out, targets).reshape(h.shape)
        if describe:
            yield PhaseRecord("loss", None, number, {"output": h, "losses": losses, "dout": d})
        for i in reversed(range(len(net.entries))):
            if describe:
                d = yield from relay_phases(net, "backward", i, number, net.backward_steps(i, d))
                yield describe_backward(net, i, number)
            else:
                d = net.backward(i, d)
        grad = store.grad  # this step's until the next step's backward: explain reads it only then
        g = penalize(grad, store.theta, net.weight_mask, hp.l1, hp.l2)
        norm_before = global_norm(g)
        used = CLIPS[hp.clip].apply(g, norm_before, hp.clip_threshold)
        norm_after = norm_before if used is g else global_norm(used)
        update, new_state = OPTIMIZERS[hp.optimizer].propose(
            store.theta, used, self.optimizer_state, hp, self.optimizer_steps + 1)
        new_theta = store.theta + update
        stats = self._stats(update) if self.statistics else None
        through_time = (time_stats(net, self._time_layout)
                        if self.statistics and self._time_layout.entries else None)
        applied = (math.isfinite(loss) and math.isfinite(norm_before)
                   and bool(np.isfinite(new_theta).all()) and net.batch_statistics_finite()
                   and all(np.isfinite(s).all() for s in new_state.values()))
        self.last_step = StepValues(number, applied, grad, g, used, update, store.theta.copy(),
                                    self.optimizer_state, {**self.optimizer_state, **new_state},
                                    self.optimizer_steps + 1)
        nonfinite = None
        if applied:
            np.copyto(store.theta, new_theta)
            self.optimizer_state = self.last_step.state_after  # its arrays are replaced, not changed
            self.optimizer_steps += 1
            net.commit()
            self.sampler.advance(len(batch))
            self.steps = number
            self.last_update = update
        else:
            if rng_state is not None:
                self.dropout_rng.bit_generator.state = rng_state
            nonfinite = locate_nonfinite(net, number, loss, update, new_theta, new_state)
            self.nonfinite = self.nonfinite or nonfinite
        accuracy = (np.count_nonzero(self.loss.predict(out) == self.data.y_train[batch].ravel()) / len(losses)
                    if self.data.task == "classification" else None)
        record = StepRecord(number, self.epoch, loss, accuracy, batch, stats,
                            norm_before, norm_after, applied, nonfinite, through_time)
        self.last_record = record
        if applied and self.statistics:
            self.recorder.record(record)
            if self.recorder.wants_snapshot(number):
                self.recorder.add_snapshot(self.snapshot())
        if applied and self.scheduled_metrics and due(number):
            self.metric_log.record(number, self.evaluate())
        self._apply_requested()
        if describe:
            yield PhaseRecord("update", None, number, self._update_by_name(update), record)
        return record

    def _update_by_name(self, update) -> dict:
        """ΔW and Δb (or Δγ, Δβ) of every entry, by parameter name."""
        return {name: view.copy() for name, view in self.net.store.views(update).items()}

    def snapshot(self) -> dict:
        """The state after the last step, as the trace keeps it: {step, epoch, batch, params, grads}."""
        store = self.net.store
        return {"step": self.steps, "epoch": self.epoch, "batch": self.last_record.batch.copy(),
                "params": self.params_by_entry(store.views(store.theta.copy())),
                "grads": self.params_by_entry(store.views(self.last_step.used.copy()))}

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

    def set_param(self, layer: int, param: str, index, value: float) -> bool:
        """Set one parameter element as an event, after the step in progress; returns whether it waits."""
        self._edits.append(checked_edit(self.entries, self.net.dtype, layer, param, index, value))
        if not self.mid_step:
            self._apply_requested()
        return self.mid_step

    def _apply_requested(self) -> None:
        """Put parameter edits and requested live changes in force, each an event at this step."""
        self.events += [apply_edit(self.net, edit, self.steps) for edit in self._edits]
        self._edits = []
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
        if "dataset" in changes:  # a person drew or removed points of the custom set
            self._load_data()
            self.sampler.restart(len(self.data.x_train))
            self.data_version += 1
        for e in self.entries[:-1]:
            if e.end is not None:
                e.end.dropout = self.config.network.dropout
        self.events.append({"step": self.steps, "config": changes})

    def evaluate(self) -> dict:
        """Full-set loss and accuracy (eval mode) on train and test: {train_loss, train_accuracy, ...}."""
        result = {}
        for split, x, y, labels in (("train", self.data.x_train, self.targets, self.data.y_train),
                                    ("test", self.data.x_test, self.test_targets, self.data.y_test)):
            with np.errstate(all="ignore"):
                out, y = by_example(self.net.evaluate(x)[0], y)
                result[f"{split}_loss"] = float(self.loss.per_example(out, y).mean())
            result[f"{split}_accuracy"] = (float(np.mean(self.loss.predict(out) == labels.ravel()))
                                           if self.data.task == "classification" else None)
        return result
