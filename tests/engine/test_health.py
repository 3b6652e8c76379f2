"""Tests for engine.health: each rule's logic on constructed step statistics and on real runs."""
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from engine import Trainer, health
from engine.config import Config, merge
from engine.health import GROWTH_FLOOR, RULES, WINDOW
from engine.recorder import STEP_SCALARS, TraceRecorder
from engine.stats import LAYER_STATS

pytestmark = pytest.mark.filterwarnings("error")  # no RuntimeWarning may escape

STAT = {name: k for k, name in enumerate(LAYER_STATS)}
# DESIGN.md's exploding example: deep, wide-init ReLU net at a learning rate of 10
EXPLODE = {"network": {"hidden": [{"units": 8, "activation": "relu"}] * 20, "init": "normal",
                       "init_gain": 5.0},
           "training": {"learning_rate": 10.0}}


def by_id(result) -> dict:
    return {b["id"]: b for b in result}


# --- a trainer filled by hand ---------------------------------------------------------------

def fake_trainer(n_steps, kinds=("dense", "dense", "dense"), clip_norm=1.0, last_applied=True,
                 last_nonfinite=None, run_nonfinite=None, **stats):
    """A stand-in with what health() reads: `entries`, a real TraceRecorder filled with n_steps
    rows, `nonfinite` and `last_record`. Each stat is a scalar, an (n_entries,) row or an
    (n_steps, n_entries) array; by default grad_norm 1, update_ratio 1e-3, the rest NaN."""
    names, counts = [], {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
        names.append(("dense" if kind == "dense" else "bn") + str(counts[kind]))
    entries = [SimpleNamespace(kind=k, name=n, weighted=k == "dense") for k, n in zip(kinds, names)]
    n = len(entries)
    layers = np.full((n_steps, n, len(LAYER_STATS)), np.nan)
    layers[:, :, STAT["grad_norm"]] = 1.0
    layers[:, :, STAT["update_ratio"]] = 1e-3
    for name, value in stats.items():
        layers[:, :, STAT[name]] = np.broadcast_to(np.asarray(value, dtype=float), (n_steps, n))
    norms = np.broadcast_to(np.asarray(clip_norm, dtype=float), (n_steps,))
    recorder = TraceRecorder(n)
    for i in range(n_steps):
        recorder.record(SimpleNamespace(step=i + 1, loss=0.5, accuracy=None, clip_norm_before=norms[i],
                                        clip_norm_after=norms[i], layers=layers[i]))
    last = None
    if n_steps or not last_applied:
        last = SimpleNamespace(step=n_steps + (0 if last_applied else 1), applied=last_applied,
                               nonfinite=last_nonfinite)
    return SimpleNamespace(recorder=recorder, entries=entries, last_record=last,
                           nonfinite=run_nonfinite or last_nonfinite)


def run(config, steps, seed=0):
    trainer = Trainer(merge(merge(Config().model_dump(), config), {"seed": seed}))
    trainer.run(steps)
    return trainer


def column(trainer, stat, entry):
    """One per-layer statistic of one entry over the recorded rows."""
    rec = trainer.recorder
    return rec.value[:rec.rows, len(STEP_SCALARS) + entry * len(LAYER_STATS) + STAT[stat]]


# --- shape of the result -------------------------------------------------------------------

def test_every_rule_once_in_order_with_its_documentation():
    result = health(run({}, 30))
    assert [b["id"] for b in result] == list(RULES)
    for b in result:
        assert {"id", "label", "status", "value", "layers", "threshold", "source", "why", "try"} <= set(b)
        assert b["status"] in ("ok", "warn", "unknown")
        assert b["value"] is None or np.isfinite(b["value"])


@pytest.mark.parametrize("config", [{}, EXPLODE], ids=["default", "explode"])
def test_unknown_before_any_step(config):
    result = health(Trainer(config))
    assert [b["status"] for b in result] == ["unknown"] * len(RULES)
    assert all(b["value"] is None and b["layers"] == [] for b in result)


def test_unknown_for_a_fake_with_no_rows():
    assert {b["status"] for b in health(fake_trainer(0))} == {"unknown"}


# --- vanishing -----------------------------------------------------------------------------

def test_vanishing_is_the_ratio_of_medians_of_first_and_last_dense_grad_norms():
    rng = np.random.default_rng(0)
    grads = np.ones((60, 4))
    grads[:, 0] = rng.uniform(1e-4, 3e-4, 60)
    grads[::7, 0] = 1.0  # outliers move a mean, not a median
    grads[:, 1] = 1e-9  # a batch-norm entry's ‖dγ‖ is not a dense layer's
    grads[:, 3] = rng.uniform(0.5, 2.0, 60)
    trainer = fake_trainer(60, kinds=("dense", "batch_norm", "dense", "dense"), grad_norm=grads)
    badge = by_id(health(trainer))["vanishing"]
    expected = np.median(grads[:, 0]) / np.median(grads[:, 3])
    assert badge["status"] == "warn"
    assert badge["value"] == pytest.approx(expected, rel=1e-12)
    assert badge["layers"] == ["dense1"]
    assert expected < RULES["vanishing"]["threshold"] < np.mean(grads[:, 0]) / np.mean(grads[:, 3])


def test_vanishing_ok_near_the_threshold_and_unknown_without_two_dense_layers():
    ok = by_id(health(fake_trainer(30, grad_norm=[0.02, 1.0, 1.0])))["vanishing"]
    assert ok["status"] == "ok" and ok["value"] == pytest.approx(0.02) and ok["layers"] == []
    assert by_id(health(fake_trainer(30, grad_norm=[0.005, 1.0, 1.0])))["vanishing"]["status"] == "warn"
    assert by_id(health(fake_trainer(30, kinds=("dense",))))["vanishing"]["status"] == "unknown"
    zero_last = by_id(health(fake_trainer(30, grad_norm=[1.0, 1.0, 0.0])))["vanishing"]
    assert zero_last["status"] == "unknown" and zero_last["value"] is None


def test_vanishing_on_a_real_deep_sigmoid_run_matches_the_recorded_medians():
    deep = {"dataset": {"name": "circle"},
            "network": {"hidden": [{"units": 8, "activation": "sigmoid"}] * 8, "init": "uniform"},
            "training": {"learning_rate": 0.3}}
    trainer = run(deep, 120)
    dense = [i for i, e in enumerate(trainer.entries) if e.kind == "dense"]
    expected = np.median(column(trainer, "grad_norm", dense[0])) / np.median(column(trainer, "grad_norm", dense[-1]))
    badge = by_id(health(trainer))["vanishing"]
    assert badge["value"] == pytest.approx(expected, rel=1e-12)
    assert badge["status"] == "warn" and badge["layers"] == [trainer.entries[0].name]
    healthy = by_id(health(run(merge(deep, {"network": {"hidden": [{"units": 8, "activation": "relu"}] * 8,
                                                         "init": "he_normal"},
                                            "training": {"learning_rate": 0.03}}), 120)))
    assert healthy["vanishing"]["status"] == "ok"


# --- exploding -----------------------------------------------------------------------------

def test_exploding_is_growth_of_the_global_norm_between_first_and_last_tenth():
    norms = np.geomspace(1.0, 1e4, 100)
    badge = by_id(health(fake_trainer(100, clip_norm=norms)))["exploding"]
    expected = np.median(norms[-10:]) / np.median(norms[:10])
    assert badge["status"] == "warn" and badge["value"] == pytest.approx(expected)
    assert expected > RULES["exploding"]["threshold"]


def test_exploding_ok_when_the_norm_shrinks_or_grows_less_than_100x():
    assert by_id(health(fake_trainer(100, clip_norm=np.geomspace(1e3, 1.0, 100))))["exploding"]["status"] == "ok"
    mild = by_id(health(fake_trainer(100, clip_norm=np.geomspace(1.0, 50.0, 100))))["exploding"]
    assert mild["status"] == "ok" and 10 < mild["value"] < 100


def test_exploding_reads_only_the_recent_window():
    norms = np.concatenate([np.full(WINDOW, 1e-3), np.full(WINDOW, 5.0)])  # grew long ago
    assert by_id(health(fake_trainer(2 * WINDOW, clip_norm=norms)))["exploding"]["status"] == "ok"
    norms = np.concatenate([np.full(WINDOW, 1e6), np.geomspace(1.0, 1e4, WINDOW)])  # grows now
    assert by_id(health(fake_trainer(2 * WINDOW, clip_norm=norms)))["exploding"]["status"] == "warn"


def test_exploding_unknown_before_20_steps():
    assert by_id(health(fake_trainer(19, clip_norm=np.geomspace(1, 1e6, 19))))["exploding"]["status"] == "unknown"
    assert by_id(health(fake_trainer(20, clip_norm=np.geomspace(1, 1e6, 20))))["exploding"]["status"] == "warn"


def test_exploding_ignores_growth_among_negligible_norms():
    """A converged net's gradient drifting from 1e-35 to 1e-33 is noise, not an explosion."""
    tiny = by_id(health(fake_trainer(100, clip_norm=np.geomspace(1e-35, 1e-33, 100))))["exploding"]
    assert tiny["status"] == "ok"
    floor = by_id(health(fake_trainer(100, clip_norm=np.geomspace(1e-9, 1e-3, 100))))["exploding"]
    assert floor["status"] == "warn" and floor["value"] == pytest.approx(np.median(np.geomspace(1e-9, 1e-3, 100)[-10:]) / GROWTH_FLOOR)


def test_exploding_skips_steps_with_no_gradient():
    """A zero norm (a balanced batch on a zero init) is no scale to grow from; 0/0 once warned."""
    zero = by_id(health(fake_trainer(100, clip_norm=0.0)))["exploding"]
    assert zero["status"] == "unknown" and zero["value"] is None
    norms = np.r_[0.0, 0.0, 0.3, np.full(97, 0.1)]
    assert by_id(health(fake_trainer(100, clip_norm=norms)))["exploding"]["status"] == "ok"
    trainer = run({"network": {"init": "zeros"}}, 30)  # its first norms are exactly 0
    assert trainer.recorder.value[0, STEP_SCALARS.index("clip_norm_before")] == 0.0
    assert by_id(health(trainer))["exploding"]["status"] == "ok"


def test_exploding_on_a_real_run_matches_the_recorded_norms():
    large_init = {"dataset": {"name": "plane"},
                  "network": {"hidden": [{"units": 8, "activation": "tanh"}] * 2, "init": "normal",
                              "init_gain": 1.0},
                  "training": {"loss": "mse", "learning_rate": 0.35}}
    trainer = run(large_init, 60)
    norms = trainer.recorder.value[:trainer.recorder.rows, STEP_SCALARS.index("clip_norm_before")]
    badge = by_id(health(trainer))["exploding"]
    assert badge["status"] == "warn"
    assert badge["value"] == pytest.approx(np.median(norms[-6:]) / np.median(norms[:6]))
    calm = by_id(health(run(merge(large_init, {"network": {"init": "xavier_uniform"}}), 60)))
    assert calm["exploding"]["status"] == "ok"


# --- saturated and dead --------------------------------------------------------------------

@pytest.mark.parametrize("rule, stat", [("saturated", "saturated_fraction"), ("dead", "dead_fraction")])
def test_share_rules_name_the_flagged_layers(rule, stat):
    share = np.tile([0.9, 0.2, 0.7, np.nan], (40, 1))
    share[::5, 1] = 0.95  # a few bad batches do not flag a layer: the median is read
    share[:15, 2] = 0.0  # more than half of the window bad does
    trainer = fake_trainer(40, kinds=("dense",) * 4, **{stat: share})
    badge = by_id(health(trainer))[rule]
    assert badge["status"] == "warn"
    assert badge["layers"] == ["dense1", "dense3"]
    assert badge["value"] == pytest.approx(0.9)


@pytest.mark.parametrize("rule, stat", [("saturated", "saturated_fraction"), ("dead", "dead_fraction")])
def test_share_rules_ok_at_the_threshold_and_unknown_where_they_do_not_apply(rule, stat):
    at = by_id(health(fake_trainer(30, **{stat: [0.5, 0.1, np.nan]})))[rule]
    assert at["status"] == "ok" and at["layers"] == [] and at["value"] == pytest.approx(0.5)
    none = by_id(health(fake_trainer(30)))[rule]  # NaN everywhere: e.g. no tanh/sigmoid layer
    assert none["status"] == "unknown" and none["value"] is None


def test_dead_on_a_real_run_names_relu_layers():
    dead = {"dataset": {"name": "circle"},
            "network": {"hidden": [{"units": 16, "activation": "relu"}] * 3, "init": "he_normal"},
            "training": {"learning_rate": 2.5}}
    trainer = run(dead, 200)
    badge = by_id(health(trainer))["dead"]
    assert badge["status"] == "warn" and badge["layers"]
    relu = {e.name for e in trainer.entries if e.kind == "dense" and e.describe()["activation"] == "relu"}
    assert set(badge["layers"]) <= relu
    for name in badge["layers"]:
        i = [e.name for e in trainer.entries].index(name)
        assert np.median(column(trainer, "dead_fraction", i)) > RULES["dead"]["threshold"]


def test_saturated_on_a_real_run_names_tanh_layers():
    saturated = {"network": {"hidden": [{"units": 8, "activation": "tanh"}, {"units": 8, "activation": "relu"}],
                             "init": "normal", "init_gain": 3.0}}
    trainer = run(saturated, 50)
    badge = by_id(health(trainer))["saturated"]
    assert badge["status"] == "warn" and badge["layers"] == ["dense1"]


# --- update ratio --------------------------------------------------------------------------

def test_update_ratio_flags_dense_layers_outside_the_band():
    ratios = np.array([1e-6, 1e-3, 0.5, 10.0, 2e-2])
    trainer = fake_trainer(30, kinds=("dense", "dense", "dense", "batch_norm", "dense"), update_ratio=ratios)
    badge = by_id(health(trainer))["update_ratio"]
    assert badge["status"] == "warn"
    assert badge["layers"] == ["dense1", "dense3"]  # the batch-norm entry's ratio is not read
    dense = ratios[[0, 1, 2, 4]]
    assert badge["value"] == pytest.approx(np.exp(np.mean(np.log(dense))))


def test_update_ratio_band_is_closed():
    lo, hi = RULES["update_ratio"]["threshold"]
    assert (lo, hi) == (1e-5, 1e-1)
    edge = by_id(health(fake_trainer(30, update_ratio=[lo, 1e-3, hi])))["update_ratio"]
    assert edge["status"] == "ok" and edge["layers"] == []
    stalled = by_id(health(fake_trainer(30, update_ratio=[0.0, 0.0, 0.0])))["update_ratio"]
    assert stalled["status"] == "warn" and stalled["layers"] == ["dense1", "dense2", "dense3"]
    assert stalled["value"] is None  # no positive ratio to average


def test_update_ratio_on_a_real_run_matches_the_recorded_medians():
    trainer = run({"training": {"learning_rate": 0.03}}, 80)
    badge = by_id(health(trainer))["update_ratio"]
    medians = [np.median(column(trainer, "update_ratio", i)) for i in range(len(trainer.entries))]
    lo, hi = RULES["update_ratio"]["threshold"]
    assert badge["layers"] == [trainer.entries[i].name for i, r in enumerate(medians) if not lo <= r <= hi]
    assert badge["value"] == pytest.approx(np.exp(np.mean(np.log(medians))))


# --- diverged ------------------------------------------------------------------------------

def test_diverged_names_the_layer_of_the_first_nonfinite_value():
    trainer = run(EXPLODE, 50)
    record = trainer.last_record
    assert not record.applied and trainer.steps < 50
    where = record.nonfinite
    assert where is not None and where["layer_name"] is not None
    badge = by_id(health(trainer))["diverged"]
    assert badge["status"] == "warn"
    assert badge["layers"] == [where["layer_name"]]
    assert badge["layers"][0] in [e.name for e in trainer.entries]
    assert where["layer_name"] in badge["why"] and f"step {where['step']}" in badge["why"]


def test_diverged_ok_on_a_healthy_run():
    trainer = run({}, 50)
    badge = by_id(health(trainer))["diverged"]
    assert badge["status"] == "ok" and badge["layers"] == []
    assert badge["why"] == RULES["diverged"]["why"]


def test_diverged_on_a_refused_first_step():
    """No step was recorded, yet the run diverged: the other badges are unknown, this one warns."""
    overflow = {"network": {"hidden": [{"units": 8, "activation": "relu"}] * 20, "init": "normal",
                            "init_gain": 100.0},
                "training": {"dtype": "float32"}}
    trainer = run(overflow, 5)
    assert trainer.steps == 0 and trainer.recorder.rows == 0
    result = by_id(health(trainer))
    assert result["diverged"]["status"] == "warn"
    assert result["diverged"]["layers"] == [trainer.last_record.nonfinite["layer_name"]]
    assert {b["status"] for rule, b in result.items() if rule != "diverged"} == {"unknown"}


def test_diverged_names_the_refused_step_not_an_older_one():
    older = {"step": 3, "phase": "forward", "layer": 0, "layer_name": "dense1", "quantity": "z"}
    latest = {"step": 9, "phase": "backward", "layer": 2, "layer_name": "dense3", "quantity": "dW"}
    trainer = fake_trainer(8, last_applied=False, last_nonfinite=latest, run_nonfinite=older)
    badge = by_id(health(trainer))["diverged"]
    assert badge["status"] == "warn" and badge["layers"] == ["dense3"]
    assert badge["why"] == "step 9 was refused: a non-finite value appeared in dense3's dW (backward pass)"
    recovered = fake_trainer(8, run_nonfinite=older)  # refused once, then stepped on
    assert by_id(health(recovered))["diverged"]["status"] == "ok"


def test_diverged_without_a_layer_names_none():
    norm = {"step": 4, "phase": "update", "layer": None, "layer_name": None, "quantity": "gradient norm"}
    badge = by_id(health(fake_trainer(3, last_applied=False, last_nonfinite=norm)))["diverged"]
    assert badge["status"] == "warn" and badge["layers"] == []
    assert badge["why"] == "step 4 was refused: a non-finite value appeared in the gradient norm (update)"


# --- no warnings ---------------------------------------------------------------------------

@pytest.mark.parametrize("trainer", [
    lambda: fake_trainer(40, clip_norm=0.0, grad_norm=0.0, update_ratio=0.0),
    lambda: fake_trainer(40, clip_norm=np.nan, grad_norm=np.inf, update_ratio=np.nan,
                         saturated_fraction=np.nan, dead_fraction=np.nan),
    lambda: fake_trainer(40, clip_norm=np.r_[np.zeros(20), np.full(20, np.inf)]),
    lambda: run(EXPLODE, 50),
    lambda: run({"network": {"init": "zeros"}}, 30),
], ids=["zeros", "nonfinite", "zero-then-inf", "explode", "zeros-init"])
def test_no_runtime_warning_escapes(trainer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = health(trainer())
    assert all(b["value"] is None or np.isfinite(b["value"]) for b in result)


# --- the badges' words (issue 17, point 7) -------------------------------------------------------

def test_a_healthy_badge_reads_as_healthy_and_a_warning_names_the_layer_and_what_to_try():
    healthy = by_id(health(fake_trainer(30, grad_norm=[0.5, 1.0, 1.0])))
    assert healthy["vanishing"]["status"] == "ok" and healthy["vanishing"]["headline"] == "gradients flow"
    assert healthy["update_ratio"]["headline"] == "update sizes healthy"
    assert healthy["diverged"]["headline"] == "all values finite"
    vanishing = by_id(health(fake_trainer(30, grad_norm=[1e-4, 1.0, 1.0])))["vanishing"]
    assert vanishing["headline"] == "gradients vanish: try ReLU with He init (on the way to dense1)"
    assert vanishing["label"] == "Vanishing gradients"  # the rule's name stays as it was, for the tooltip and the catalog


def test_the_update_badge_says_which_way_its_layers_are_off():
    low = by_id(health(fake_trainer(30, update_ratio=[1e-7, 1e-3, 1e-7])))["update_ratio"]
    assert low["headline"] == "updates too small: raise the learning rate (in dense1, dense3)"
    high = by_id(health(fake_trainer(30, update_ratio=[1e-3, 0.5, 1e-3])))["update_ratio"]
    assert high["headline"] == "updates too large: lower the learning rate (in dense2)"
    both = by_id(health(fake_trainer(30, update_ratio=[1e-7, 0.5, 1e-3])))["update_ratio"]
    assert both["headline"] == "update sizes off: bring ‖ΔW‖/‖W‖ near 1e-3 (in dense1, dense2)"


def test_an_unknown_badge_says_why_it_cannot_tell():
    assert {b["headline"] for b in health(fake_trainer(0))} >= {"gradient flow: no steps yet", "finite values: no steps yet"}
    few = by_id(health(fake_trainer(5, kinds=("dense",))))
    assert few["vanishing"]["headline"] == "gradient flow: needs two weighted layers"
    assert few["exploding"]["headline"] == "gradient growth: needs 20 steps"
    assert few["dead"]["headline"] == "dead ReLUs: no ReLU layer"
    assert few["saturated"]["headline"] == "saturation: no tanh or sigmoid layer"


def test_every_rule_has_its_words():
    from engine.health_time import TIME_RULES
    from engine.health_words import WORDS
    assert set(WORDS) == set(RULES) | set(TIME_RULES)
    assert all(set(words) == {"topic", "healthy", "problem", "where", "hint"} for words in WORDS.values())
