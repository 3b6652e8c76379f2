"""Tests for the `backprop-lab` command line: run, validate, and their errors."""
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from engine import Trainer
from engine.trace_loader import load_trace
from server.cli import main

SMALL = {"network": {"hidden": [{"units": 3}]}, "training": {"learning_rate": 0.1}}
DIVERGING = {"network": {"hidden": [{"units": 8, "activation": "relu"}] * 20, "init": "normal",
                         "init_gain": 5.0}, "training": {"learning_rate": 10.0}}


def write(path, document):
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def run(tmp_path, capsys, document, steps=150, *extra):
    config = write(tmp_path / "config.json", document)
    out = tmp_path / "trace.json"
    code = main(["run", "--config", config, "--steps", str(steps), "--out", str(out), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err, out


def test_run_writes_a_trace_that_validate_accepts(tmp_path, capsys):
    code, out, err, trace_path = run(tmp_path, capsys, SMALL, 250, "--snapshot-every", "50")
    assert code == 0
    assert "250/250 steps" in err and "steps/s" in err  # progress on stderr
    lines = out.strip().splitlines()
    assert len(lines) == 1
    expected = Trainer(SMALL)
    expected.run(250)
    metrics = expected.evaluate()
    assert lines[0] == (f"250 steps, epoch {expected.epoch}, train loss {metrics['train_loss']:.4g}, "
                        f"test loss {metrics['test_loss']:.4g}, "
                        f"test accuracy {metrics['test_accuracy']:.3f} -> {trace_path}")
    trace = load_trace(trace_path)
    assert [s["step"] for s in trace["steps"]] == list(range(1, 251))
    # the 1-2-5 series below --snapshot-every, then every 50 steps
    assert [s["step"] for s in trace["steps"] if "snapshot" in s] == [1, 2, 5, 10, 20, 50, 100, 150, 200, 250]
    assert trace["config"]["training"]["learning_rate"] == 0.1
    assert main(["validate", str(trace_path)]) == 0
    summary = capsys.readouterr().out.strip()
    assert summary == (f"{trace_path}: valid trace, 2 layers, 250 recorded steps up to step 250, "
                       f"10 snapshots, 0 events")


def test_empty_config_file_means_the_defaults(tmp_path, capsys):
    code, out, _, trace_path = run(tmp_path, capsys, "", 20)
    assert code == 0 and out.startswith("20 steps, epoch 0,")  # 25 batches of 10 per epoch
    assert len(load_trace(trace_path)["layers"]) == 3


@pytest.mark.parametrize("document, message", [
    ({"training": {"nope": 1}}, "training.nope: unknown field"),
    ({"network": {"hidden": [{"units": 300}]}}, "network.hidden.0.units: must be at most 256 (got 300)"),
    ({"training": {"batch_size": 251}}, "training.batch_size: must be at most the training set's 250 points"),
    ({"dataset": {"name": "plane"}}, "training.loss: bce needs a classification set"),
    ('{"seed": 1,', "not valid JSON"),
    ("[1, 2]", "a config must be a JSON object"),
])
def test_bad_config_exits_non_zero_naming_the_field(tmp_path, capsys, document, message):
    code, out, err, trace_path = run(tmp_path, capsys, document, 5)
    assert code != 0 and out == ""
    assert message in err and "config.json" in err
    assert not trace_path.exists()


def test_missing_config_file(tmp_path, capsys):
    missing = tmp_path / "nowhere.json"
    code = main(["run", "--config", str(missing), "--steps", "5", "--out", str(tmp_path / "t.json")])
    err = capsys.readouterr().err
    assert code != 0 and str(missing) in err and "No such file" in err


def test_unwritable_out_path_is_an_error_not_a_traceback(tmp_path, capsys):
    config = write(tmp_path / "config.json", SMALL)
    out = tmp_path / "missing-dir" / "trace.json"
    code = main(["run", "--config", config, "--steps", "5", "--out", str(out)])
    assert code != 0 and str(out) in capsys.readouterr().err


@pytest.mark.parametrize("corrupt, message", [
    (lambda raw: raw[:len(raw) // 3], "not valid JSON (truncated or corrupt?)"),
    (lambda raw: raw.replace(b'"version":1', b'"version":2'), "version: 2 is not supported"),
    (lambda raw: raw.replace(b'"format":"backprop-lab-trace"', b'"format":"x"'), "format: must be"),
    (lambda raw: raw.replace(b'"step":2,', b'"step":1,', 1), "steps[1].step: 1 does not follow step 1"),
])
def test_validate_rejects_a_corrupt_file_naming_the_problem(tmp_path, capsys, corrupt, message):
    _, _, _, trace_path = run(tmp_path, capsys, SMALL, 10)
    raw = trace_path.read_bytes()
    bad = corrupt(raw)
    assert bad != raw
    trace_path.write_bytes(bad)
    assert main(["validate", str(trace_path)]) != 0
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err and str(trace_path) in captured.err


def test_validate_missing_file(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "absent.json")]) != 0
    assert "absent.json" in capsys.readouterr().err


def test_diverging_config_exits_non_zero_and_names_the_layer(tmp_path, capsys):
    reference = Trainer(DIVERGING)
    reference.run(300)
    where = reference.nonfinite
    code, out, err, trace_path = run(tmp_path, capsys, DIVERGING, 300)
    assert code != 0
    said = (f"; DIVERGED at step {where['step']}: a non-finite value appeared in "
            f"{where['layer_name']}'s {where['quantity']} ({where['phase']} pass) (the step was refused); "
            f"lower the learning rate or turn on gradient clipping -> {trace_path}\n")
    assert out.endswith(said), out
    assert where["phase"] in ("forward", "backward")  # the config diverges in a layer, not the loss
    assert out.startswith(f"{where['step'] - 1} steps,")
    trace = load_trace(trace_path)  # the run up to the refused step is still written
    assert trace["steps"][-1]["step"] == where["step"] - 1
    assert trace["nonfinite"]["layer_name"] == where["layer_name"]


def test_console_script_end_to_end(tmp_path):
    script = shutil.which("backprop-lab")
    if script is None:
        pytest.skip("the backprop-lab console script is not installed")
    config = write(tmp_path / "config.json", SMALL)
    out = tmp_path / "trace.json"
    done = subprocess.run([script, "run", "--config", config, "--steps", "30", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("30 steps, epoch 1,") and "30/30 steps" in done.stderr
    checked = subprocess.run([script, "validate", str(out)], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0 and "30 recorded steps up to step 30" in checked.stdout
    bad = subprocess.run([script, "run", "--config", write(tmp_path / "bad.json", {"seed": -1}),
                          "--steps", "3", "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "seed: must be at least 0" in bad.stderr


def test_module_entry_point(tmp_path):
    done = subprocess.run([sys.executable, "-m", "server.cli", "validate", str(tmp_path / "x.json")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "x.json" in done.stderr


@pytest.mark.parametrize("flag, value, message", [
    ("--steps", "-5", "argument --steps: must be at least 1 (got -5)"),
    ("--steps", "0", "argument --steps: must be at least 1 (got 0)"),
    ("--steps", "ten", "argument --steps: must be a whole number (got 'ten')"),
    ("--snapshot-every", "-1", "argument --snapshot-every: must be at least 0 (got -1)"),
])
def test_run_refuses_a_bad_count_with_exit_code_2(tmp_path, capsys, flag, value, message):
    config = write(tmp_path / "config.json", {})
    out = tmp_path / "trace.json"
    args = {"--steps": "10", "--snapshot-every": "100", flag: value}
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--config", config, "--out", str(out), *[x for kv in args.items() for x in kv]])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_serve_on_a_taken_port_says_so_before_any_url(capsys):
    import socket
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        code = main(["serve", "--port", str(port)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.strip() == (f"backprop-lab: port {port} on 127.0.0.1 is already in use (another "
                           f"backprop-lab, or another program). Choose another port: backprop-lab "
                           f"--port {port + 1}")


def test_run_and_validate_take_a_sequence_config(tmp_path, capsys):
    config = {"dataset": {"name": "sine", "seq_len": 8, "n_samples": 60},
              "network": {"hidden": [{"kind": "rnn", "units": 4}, {"kind": "lstm", "units": 3}]},
              "training": {"loss": "mse"}}
    code, out, err, trace_path = run(tmp_path, capsys, config, 30)
    assert code == 0 and out.startswith("30 steps,") and "test accuracy" not in out
    trace = load_trace(trace_path)
    assert [layer["kind"] for layer in trace["layers"]] == ["rnn", "lstm", "dense"]
    assert np.asarray(trace["data"]["x_train"]).shape == (30, 8, 1)
    assert np.asarray(trace["data"]["y_train"]).shape == (30, 8)
    assert main(["validate", str(trace_path)]) == 0
    assert capsys.readouterr().out.endswith("valid trace, 3 layers, 30 recorded steps up to step 30, 6 snapshots, 0 events\n")
    assert [len(layer["signal_norm_by_time"]) for layer in trace["steps"][-1]["layers"][:2]] == [8, 8]
    trace["steps"][4]["layers"][1]["signal_norm_by_time"].pop()
    trace_path.write_text(json.dumps(trace))
    assert main(["validate", str(trace_path)]) != 0
    assert ("steps[4].layers[1].signal_norm_by_time: must be a list of 8 numbers (one per time step)"
            in capsys.readouterr().err)


def test_run_and_validate_take_an_image_config(tmp_path, capsys):
    config = {"dataset": {"name": "bars", "n_samples": 60, "noise": 10},
              "network": {"hidden": [{"kind": "conv2d", "channels": 2, "kernel": 3, "padding": 1, "activation": "relu"},
                                     {"kind": "max_pool", "size": 2}, {"kind": "avg_pool", "size": 2}]}}
    code, out, err, trace_path = run(tmp_path, capsys, config, 30)
    assert code == 0 and out.startswith("30 steps,") and "test accuracy" in out
    trace = load_trace(trace_path)
    assert [(layer["kind"], layer["in_shape"], layer.get("out_shape")) for layer in trace["layers"]] == [
        ("conv2d", [1, 8, 8], [2, 8, 8]), ("max_pool", [2, 8, 8], [2, 4, 4]),
        ("avg_pool", [2, 4, 4], [2, 2, 2]), ("dense", [2, 2, 2], None)]
    assert np.asarray(trace["data"]["x_train"]).shape == (30, 1, 8, 8)
    snapshot = trace["steps"][-1]["snapshot"]
    assert snapshot["params"][1] == {} and set(snapshot["grads"][0]) == {"K", "b"}
    assert main(["validate", str(trace_path)]) == 0
    assert capsys.readouterr().out.endswith("valid trace, 4 layers, 30 recorded steps up to step 30, 6 snapshots, 0 events\n")
    trace["data"]["x_train"][3] = trace["data"]["x_train"][3][0]  # one channel's rows, not (C, H, W)
    trace_path.write_text(json.dumps(trace))
    assert main(["validate", str(trace_path)]) != 0
    assert "data.x_train" in capsys.readouterr().err
