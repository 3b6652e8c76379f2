"""Detail of recurrent entries (issue 14, point 5): one example's h_t and dL/dh_t, an LSTM's gates
through time, and W_h's eigenvalues and largest singular value, against NumPy written out here."""
import numpy as np
import pytest

from engine import Trainer
from engine.activations import sigmoid

pytestmark = pytest.mark.filterwarnings("error")


def run(hidden, dataset=None, steps=3, **training):
    trainer = Trainer({"seed": 2, "dataset": {"name": "remember_first", "seq_len": 6, "n_samples": 40, **(dataset or {})},
                       "network": {"hidden": hidden},
                       "training": {"batch_size": 5, "dtype": "float64", "learning_rate": 0.2, **training}})
    trainer.run(steps)
    return trainer


def before(trainer, name):
    """The weights the last step started from, by name."""
    return trainer.net.store.views(trainer.last_step.theta_before)[name]


def example_input(trainer):
    batch = trainer.last_record.batch
    return trainer.data.x_train[batch[0]], trainer.data.y_train[batch[0]], len(batch), batch[0]


def test_an_rnn_entry_shows_its_example_states_and_their_gradients_through_time():
    trainer = run([{"kind": "rnn", "units": 4}])
    shown = trainer.detail()["layers"][0]["recurrent"]
    x, y, B, row = example_input(trainer)
    W_x, W_h, b = (before(trainer, f"rnn1.{k}") for k in ("W_x", "W_h", "b"))
    W_out, b_out = before(trainer, "dense2.W"), before(trainer, "dense2.b")
    hs = [np.zeros(4)]
    for t in range(6):
        hs.append(np.tanh(x[t] @ W_x + hs[-1] @ W_h + b))
    dh = (sigmoid(hs[-1] @ W_out + b_out)[0] - y) / B * W_out[:, 0]  # bce, mean over the batch
    dhs = []
    for t in reversed(range(6)):
        dhs.insert(0, dh)
        dh = (dh * (1 - hs[t + 1] ** 2)) @ W_h.T
    states = shown["through_time"]
    assert (states["example"], states["index"], states["gates"]) == (0, row, None)
    np.testing.assert_allclose(states["h"], np.array(hs[1:]), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(states["dh"], np.array(dhs), rtol=1e-10, atol=1e-18)
    assert states["h"].shape == states["dh"].shape == (6, 4)
    now = trainer.net.params[0]["W_h"]
    spectrum = shown["spectrum"]
    assert spectrum["blocks"] == ["W_h"]
    found = np.sort_complex(spectrum["real"][0] + 1j * spectrum["imag"][0])
    np.testing.assert_allclose(found, np.sort_complex(np.linalg.eigvals(now)), rtol=1e-10, atol=1e-12)
    assert spectrum["spectral_radius"][0] == pytest.approx(np.abs(np.linalg.eigvals(now)).max(), rel=1e-10)
    assert spectrum["largest_singular"][0] == pytest.approx(np.linalg.svd(now, compute_uv=False)[0], rel=1e-12)


def test_an_lstm_entry_shows_its_gates_through_time_and_each_gate_blocks_spectrum():
    trainer = run([{"kind": "lstm", "units": 3}])
    shown = trainer.detail()["layers"][0]["recurrent"]
    x, _, _, _ = example_input(trainer)
    W_x, W_h, b = (before(trainer, f"lstm1.{k}") for k in ("W_x", "W_h", "b"))
    h, c, gates, hs = np.zeros(3), np.zeros(3), {"i": [], "f": [], "o": []}, []
    for t in range(6):
        pre = x[t] @ W_x + h @ W_h + b
        i, f, g, o = sigmoid(pre[:3]), sigmoid(pre[3:6]), np.tanh(pre[6:9]), sigmoid(pre[9:])
        c = f * c + i * g
        h = o * np.tanh(c)
        for name, value in (("i", i), ("f", f), ("o", o)):
            gates[name].append(value)
        hs.append(h)
    states = shown["through_time"]
    assert sorted(states["gates"]) == ["f", "i", "o"]
    for name, values in gates.items():
        np.testing.assert_allclose(states["gates"][name], np.array(values), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(states["h"], np.array(hs), rtol=1e-12, atol=1e-15)
    spectrum, now = shown["spectrum"], trainer.net.params[0]["W_h"]
    assert spectrum["blocks"] == ["i", "f", "g", "o"]
    for k in range(4):
        block = now[:, 3 * k:3 * k + 3]
        found = np.sort_complex(spectrum["real"][k] + 1j * spectrum["imag"][k])
        np.testing.assert_allclose(found, np.sort_complex(np.linalg.eigvals(block)), rtol=1e-10, atol=1e-12)
        assert spectrum["largest_singular"][k] == pytest.approx(np.linalg.svd(block, compute_uv=False)[0], rel=1e-12)


def test_orthogonal_init_puts_every_eigenvalue_on_the_unit_circle_at_step_zero():
    trainer = Trainer({"dataset": {"name": "remember_first", "seq_len": 5},
                       "network": {"hidden": [{"kind": "rnn", "units": 6}], "recurrent_init": "orthogonal"}})
    spectrum = trainer.detail()["layers"][0]["recurrent"]["spectrum"]
    np.testing.assert_allclose(np.hypot(spectrum["real"][0], spectrum["imag"][0]), 1.0, rtol=1e-6)
    assert spectrum["largest_singular"][0] == pytest.approx(1.0, rel=1e-6)
    assert trainer.detail()["layers"][0]["recurrent"]["through_time"] is None  # no forward yet


def test_spectra_are_a_heavy_part_and_dense_entries_have_no_recurrent_detail():
    trainer = run([{"kind": "lstm", "units": 3}, {"units": 2}], dataset={"name": "adding"}, loss="mse")
    light = trainer.detail(planes=False)["layers"]
    assert light[0]["recurrent"]["spectrum"] is None and light[0]["recurrent"]["through_time"]["h"].shape == (6, 3)
    assert light[1]["recurrent"] is None and light[2]["recurrent"] is None


def test_snapshots_keep_the_detail_of_their_step():
    trainer = run([{"kind": "rnn", "units": 4}], steps=2)
    first = trainer.recorder.snapshots[0]
    h_then = first["detail"]["layers"][0]["recurrent"]["through_time"]["h"].copy()
    trainer.run(3)
    assert np.array_equal(first["detail"]["layers"][0]["recurrent"]["through_time"]["h"], h_then)
    assert not np.array_equal(trainer.detail()["layers"][0]["recurrent"]["through_time"]["h"], h_then)
