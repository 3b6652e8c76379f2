"""Issue 16, point 1: a person's own points. A CSV file becomes the custom set's config, each bad
file named by its line; the config's points train like any set, and a trace replays them."""
import numpy as np
import pytest

from engine import Trainer, validate_config
from engine.config import ConfigError
from engine.custom_points import MAX_CSV_BYTES, CsvError, read_points_csv
from engine.data import load_data
from engine.replay import replay

POINTS = [[-1.5 + 0.25 * k, (-1) ** k * 0.5 * (k % 5), k % 2] for k in range(24)]


def csv_of(points, header="x1,x2,label") -> bytes:
    lines = ([header] if header else []) + [",".join(map(repr, p)) for p in points]
    return ("\n".join(lines) + "\n").encode()


def refusal(raw: bytes) -> tuple[int, str]:
    with pytest.raises(CsvError) as caught:
        read_points_csv(raw)
    return caught.value.line, caught.value.message


# ---- reading a file ----------------------------------------------------------------------------

def test_a_labelled_file_with_a_header_reads_as_classes():
    assert read_points_csv(csv_of(POINTS)) == {"name": "custom", "points": POINTS, "task": "classification",
                                                 "n_classes": 2}


def test_a_file_without_a_header_is_classes_when_the_third_column_is_whole_and_in_range():
    three = [[p[0], p[1], k % 3] for k, p in enumerate(POINTS)]
    assert read_points_csv(csv_of(three, header=None))["n_classes"] == 3
    values = [[p[0], p[1], 0.1 * k] for k, p in enumerate(POINTS)]
    read = read_points_csv(csv_of(values, header=None))
    assert read["task"] == "regression" and read["points"] == values


def test_a_value_header_reads_whole_numbers_as_values():
    read = read_points_csv(csv_of(POINTS, header="x1, x2, value"))
    assert read["task"] == "regression" and read["points"] == POINTS


def test_blank_lines_a_bom_and_crlf_are_read_as_a_person_means_them():
    raw = b"\xef\xbb\xbf" + csv_of(POINTS).replace(b"\n", b"\r\n\r\n")
    assert read_points_csv(raw)["points"] == POINTS


@pytest.mark.parametrize("change, line, message", [
    (lambda rows: rows.__setitem__(16, "0.5,abc,1"), 17, "'abc' is not a number"),
    (lambda rows: rows.__setitem__(3, "0.5,1,0,7"), 4, "4 columns; a point has 3 (x1,x2,label or x1,x2,value)"),
    (lambda rows: rows.__setitem__(5, "0.5,1"), 6, "2 columns; a point has 3 (x1,x2,label or x1,x2,value)"),
    (lambda rows: rows.__setitem__(2, "nan,1,0"), 3, "'nan' is not a finite number"),
    (lambda rows: rows.__setitem__(9, "1,-inf,0"), 10, "'-inf' is not a finite number"),
    (lambda rows: rows.__setitem__(4, "1,2,7"), 5, "class 7 is not one of 0..4"),
    (lambda rows: rows.__setitem__(4, "1,2,-1"), 5, "class -1 is not one of 0..4"),
    (lambda rows: rows.__setitem__(7, "3e7,2,1"), 8, "3e7 is beyond ±1e+06"),
    (lambda rows: rows.__setitem__(0, "x1,x2,colour"), 1,
     "the third column must be label (classes) or value (regression), not 'colour'"),
])
def test_a_bad_line_is_named_with_what_is_wrong(change, line, message):
    rows = csv_of(POINTS).decode().splitlines()
    change(rows)
    assert refusal("\n".join(rows).encode()) == (line, message)


def test_a_fractional_label_under_a_label_header_is_named():
    rows = csv_of(POINTS).decode().splitlines()
    rows[2] = "1,2,0.5"
    assert refusal("\n".join(rows).encode()) == (3, "class 0.5 is not one of 0..4")


def test_too_few_too_many_empty_oversized_and_not_utf8_files_are_named():
    assert refusal(csv_of(POINTS[:9])) == (0, "9 points; a set has 10 to 4,096")
    assert refusal(csv_of(POINTS * 171)) == (0, "4,104 points; a set has 10 to 4,096")
    assert refusal(b"\n \n") == (0, "the file has no points")
    assert refusal(b"x" * (MAX_CSV_BYTES + 1)) == (0, "the file is 2.0 MB; at most 2 MB")
    raw = csv_of(POINTS).replace(b"0.5", b"0.5\xff", 1)
    assert refusal(raw) == (raw[:raw.index(b"\xff")].count(b"\n") + 1, "not UTF-8 text (byte 0xff)")


# ---- the config -------------------------------------------------------------------------------

def config_error(dataset: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        validate_config({"dataset": dataset})
    return str(caught.value)


def test_the_custom_config_counts_its_points_and_defaults_to_classes():
    dataset = validate_config({"dataset": {"name": "custom", "points": POINTS}}).dataset
    assert (dataset.n_samples, dataset.task, dataset.points) == (24, "classification", POINTS)


def test_a_generated_set_drops_points_left_from_a_custom_one():
    custom = validate_config({"dataset": {"name": "custom", "points": POINTS}}).model_dump()
    custom["dataset"]["name"] = "spiral"
    assert "points" not in validate_config(custom).model_dump()["dataset"]


@pytest.mark.parametrize("dataset, message", [
    ({"name": "custom"}, "dataset.points: the custom set needs its points: [[x1, x2, y], ...]"),
    ({"name": "custom", "points": POINTS[:9]}, "dataset.points: has 9 points; a set has 10 to 4096"),
    ({"name": "custom", "points": POINTS[:10] + [[0, 0, 2]]},
     "dataset.points.10: class 2 is not one of the set's 2 classes (dataset.n_classes)"),
    ({"name": "custom", "points": POINTS[:10] + [[0, 0, 0.5]]},
     "dataset.points.10: class 0.5 is not one of the set's 2 classes (dataset.n_classes)"),
    ({"name": "custom", "points": POINTS[:10] + [[0, 2e6, 0]]}, "dataset.points.10: [0.0, 2000000.0, 0.0] has a value beyond ±1e+06"),
    ({"name": "custom", "points": POINTS[:10] + [[0, 1]]}, "dataset.points.10: list should have at least 3 items after validation, not 2"),
    ({"name": "custom", "points": POINTS, "task": "ranking"},
     "dataset.task: must be one of 'classification' or 'regression' (got 'ranking')"),
])
def test_bad_custom_configs_name_the_field(dataset, message):
    assert config_error(dataset) == message


def test_a_regression_set_needs_a_regression_loss():
    with pytest.raises(ConfigError, match="training.loss: bce needs a classification set; custom is a regression set"):
        validate_config({"dataset": {"name": "custom", "points": POINTS, "task": "regression"}})


# ---- training on it ---------------------------------------------------------------------------

def test_the_points_are_the_data_split_and_shuffled_from_the_seed():
    dataset = validate_config({"dataset": {"name": "custom", "points": POINTS}}).dataset
    data = load_data(dataset, 0, 0, np.float64)
    got = np.concatenate([np.column_stack([data.points_train, data.y_train]),
                          np.column_stack([data.points_test, data.y_test])])
    assert sorted(map(tuple, got.tolist())) == sorted(map(tuple, POINTS))
    assert len(data.points_train) == 12 and data.y_train.dtype == np.int64 and data.n_classes == 2


def test_a_custom_regression_run_learns_and_its_trace_config_replays_it_bitwise():
    values = [[x, y, 0.3 * x - 0.2 * y] for x in np.linspace(-4, 4, 8) for y in np.linspace(-4, 4, 8)]
    config = {"dataset": {"name": "custom", "task": "regression", "points": values},
              "training": {"loss": "mse", "learning_rate": 0.03, "batch_size": 8}}
    run = Trainer(config)
    before = run.evaluate()["train_loss"]
    run.run(300)
    assert run.evaluate()["train_loss"] < 0.2 * before
    trace = run.export_trace()
    assert trace["config"]["dataset"]["points"] == values
    again = Trainer(trace["config"])
    again.run(300)
    assert np.array_equal(again.net.store.theta, run.net.store.theta)


# ---- drawing: points that change live ---------------------------------------------------------

def test_drawn_points_change_the_data_live_keeping_the_weights_and_replay_bitwise():
    run = Trainer({"dataset": {"name": "custom", "points": POINTS}, "training": {"batch_size": 4}})
    run.run(20)
    theta = run.net.store.theta.copy()
    drawn = POINTS + [[2.0, 2.0, 1], [2.5, 1.5, 1], [-2.0, -2.0, 0], [-2.5, 1.0, 0]]
    changed = run.reconfigure({"dataset": {"points": drawn}})
    assert (changed.rebuilt, changed.fields) == (False, [])
    assert np.array_equal(run.net.store.theta, theta) and run.steps == 20
    assert run.events == [{"step": 20, "config": {"dataset": {"n_samples": 28, "points": drawn}}}]
    got = np.concatenate([np.column_stack([run.data.points_train, run.data.y_train]),
                          np.column_stack([run.data.points_test, run.data.y_test])])
    assert sorted(map(tuple, got.tolist())) == sorted(map(tuple, drawn)) and run.data_version == 1
    assert (run.sampler.n_train, run.sampler.position) == (14, 0)
    run.run(30)
    again = replay(run.export_trace())
    assert np.array_equal(again.net.store.theta, run.net.store.theta)


def test_a_new_task_or_class_count_rebuilds_the_custom_set():
    run = Trainer({"dataset": {"name": "custom", "points": POINTS}, "training": {"batch_size": 4}})
    run.run(5)
    three = POINTS[:-1] + [[1.0, 1.0, 2]]
    assert run.reconfigure({"dataset": {"points": three, "n_classes": 3},
                            "training": {"loss": "cross_entropy"}}).fields == ["dataset.n_classes", "training.loss"]
    values = [[x, y, 0.5] for x, y, _ in POINTS]
    assert run.reconfigure({"dataset": {"points": values, "task": "regression", "n_classes": 2},
                            "training": {"loss": "mse"}}).fields == ["dataset.n_classes", "dataset.points",
                                                                      "dataset.task", "training.loss"]
