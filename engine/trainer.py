"""The Trainer: the training core with the views a person reads (panel data, explain, trace)."""
from .explain import explain
from .health import health
from .panel_data import detail
from .sequence_detail import example_in_progress
from .steps import PhaseRecord
from .trace_export import export_trace
from .training import Training


class Trainer(Training):
    """A Training whose snapshots carry the panels' detail, with `detail`, `explain`, `health`
    and `export_trace` (each a function of the read-only API, here as a method), and whose
    recurrent phases carry their shown example's inputs and output."""

    def snapshot(self) -> dict:
        """The trace's snapshot after the last step, with the panels' detail, the full-set
        metrics and the health badges (what the page shows of a run at that step)."""
        return {**super().snapshot(), "detail": detail(self), "metrics": self.evaluate(),
                "health": health(self)}

    def phase(self) -> PhaseRecord:
        """The next phase; a recurrent entry's `through_time` adds its example's `x` (T, C) and
        `output` (None before the loss) to what the step in progress has computed of it."""
        record = super().phase()
        if record.through_time is not None:
            record.through_time.update(example_in_progress(self, record.phase))
        return record

    def detail(self, planes: bool = True) -> dict:
        """The panels' detail for the current state (histograms, tensors; output and neuron maps
        with `planes`)."""
        return detail(self, planes)

    def explain(self, layer: int, index, example: int = 0, param: str | None = None) -> dict:
        """One parameter element's gradient as the chain rule builds it, term by term."""
        return explain(self, layer, index, example, param)

    def health(self) -> list[dict]:
        """The health badges from the recent steps."""
        return health(self)

    def export_trace(self) -> dict:
        """DESIGN.md's trace of this run: config at step 0, data, events, steps, snapshots."""
        return export_trace(self)
