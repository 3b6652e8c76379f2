"""Tests for engine.config (validation, merge, live/rebuild classification) and engine.catalog."""
import copy
import json
import math

import pytest

import engine
from engine import Config, ConfigError, validate_config
from engine.activations import ACTIVATIONS
from engine.config import LIMITS, live_changes, merge, rebuild_fields
from engine.custom_points import MAX_CSV_BYTES
from engine.datasets import DATASETS, GENERATED_SETS
from engine.features import FEATURES
from engine.inits import INITS
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS
from engine.regularization import CLIPS

# DESIGN.md's default document, written out.
DESIGN_DEFAULTS = {
    "seed": 0,
    "dataset": {"name": "spiral", "n_samples": 500, "noise": 0.0,
                "train_fraction": 0.5, "features": ["x1", "x2"]},
    "network": {"hidden": [{"units": 4, "activation": "tanh"},
                           {"units": 2, "activation": "tanh"}],
                "init": "xavier_uniform", "init_gain": 1.0, "bias_init": 0.0,
                "batch_norm": False, "residual": False, "dropout": 0.0},
    "training": {"loss": "bce", "optimizer": "sgd", "learning_rate": 0.03,
                 "momentum": 0.9, "rho": 0.99, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                 "batch_size": 10, "l1": 0.0, "l2": 0.0, "weight_decay": 0.0,
                 "clip": "none", "clip_threshold": 1.0, "dtype": "float64"},
}
# Fields the engine adds to DESIGN.md's document (allowed: "add fields freely").
ENGINE_EXTRAS = {"dataset": {"n_classes": 2, "standardize": False}}


def expected_defaults() -> dict:
    doc = copy.deepcopy(DESIGN_DEFAULTS)
    doc["dataset"].update(ENGINE_EXTRAS["dataset"])
    return doc


def rejects(config, field: str) -> ConfigError:
    """Assert config is rejected naming `field`, both in .field and in the message."""
    with pytest.raises(ConfigError) as info:
        validate_config(config)
    assert info.value.field == field
    assert field in str(info.value)
    return info.value


# --- defaults -----------------------------------------------------------------------------

def test_empty_config_is_valid_and_has_design_defaults():
    config = validate_config({})
    assert isinstance(config, Config)
    assert config.model_dump() == expected_defaults()


def test_full_default_document_round_trips():
    doc = expected_defaults()
    assert validate_config(doc).model_dump() == doc
    assert validate_config(json.loads(json.dumps(doc))).model_dump() == doc


# --- impossible combinations ---------------------------------------------------------------

@pytest.mark.parametrize("config, field", [
    ({"network": {"batch_norm": True}, "training": {"batch_size": 1}}, "training.batch_size"),
    ({"training": {"batch_size": 251}}, "training.batch_size"),  # n_train = 250
    ({"dataset": {"n_samples": 100, "train_fraction": 0.3}, "training": {"batch_size": 31}},
     "training.batch_size"),
    ({"dataset": {"name": "plane"}, "training": {"loss": "bce"}}, "training.loss"),
    ({"dataset": {"name": "multigauss"}, "training": {"loss": "cross_entropy"}}, "training.loss"),
    ({"dataset": {"n_classes": 3}, "training": {"loss": "bce"}}, "training.loss"),
    ({"dataset": {"name": "blobs", "n_classes": 5}, "training": {"loss": "mse"}}, "training.loss"),
    ({"dataset": {"features": ["x1", "x2", "x1"]}}, "dataset.features"),
    ({"dataset": {"name": "gauss", "n_classes": 3}, "training": {"loss": "cross_entropy"}},
     "dataset.n_classes"),
    ({"dataset": {"name": "xor", "n_classes": 4}, "training": {"loss": "cross_entropy"}},
     "dataset.n_classes"),
])
def test_impossible_combinations_are_rejected(config, field):
    rejects(config, field)


@pytest.mark.parametrize("config", [
    {"training": {"batch_size": 250}},
    {"network": {"batch_norm": True}, "training": {"batch_size": 2}},
    {"training": {"batch_size": 1}},
    {"dataset": {"n_samples": 4096}, "training": {"batch_size": 1024}},
    {"network": {"hidden": [{"units": 256}]}, "dataset": {"n_samples": 10},
     "training": {"batch_size": 5}},
    {"dataset": {"name": "plane"}, "training": {"loss": "mse"}},
    {"dataset": {"n_classes": 5}, "training": {"loss": "cross_entropy"}},
    {"dataset": {"name": "gauss"}, "training": {"loss": "mse"}},
    {"dataset": {"name": "gauss"}, "training": {"loss": "cross_entropy"}},
])
def test_possible_edges_are_accepted(config):
    validate_config(config)


def test_combination_messages():
    error = rejects({"network": {"batch_norm": True}, "training": {"batch_size": 1}},
                    "training.batch_size")
    assert "batch norm" in error.message
    error = rejects({"training": {"batch_size": 251}}, "training.batch_size")
    assert "250" in error.message and "251" in error.message


# --- limits --------------------------------------------------------------------------------

def hidden(n, units=4):
    return {"network": {"hidden": [{"units": units, "activation": "tanh"}] * n}}


def test_limits_are_the_documented_ones():
    assert LIMITS == {"max_hidden_layers": 32, "max_units": 256, "min_samples": 10,
                      "max_samples": 4096, "max_batch_size": 1024, "max_classes": 5,
                      "min_seq_len": 2, "max_seq_len": 100, "max_recurrent_units": 64, "max_recurrent_layers": 4,
                      "max_image_classes": 10, "max_image_side": 32, "max_image_channels": 3, "max_conv_layers": 6,
                      "max_conv_channels": 32, "max_kernel": 7, "max_stride": 4, "max_pool_size": 4}


def test_hidden_layer_limit_is_inclusive():
    assert len(validate_config(hidden(32)).network.hidden) == 32
    assert validate_config(hidden(0)).network.hidden == []
    rejects(hidden(33), "network.hidden")


def test_too_many_units_message():
    config = {"network": {"hidden": [{"units": 4}, {"units": 4}, {"units": 4}, {"units": 257}]}}
    error = rejects(config, "network.hidden.3.units")
    assert str(error) == "network.hidden.3.units: must be at most 256 (got 257)"
    assert error.message == "must be at most 256 (got 257)"


@pytest.mark.parametrize("config, field, message", [
    (hidden(2, units=0), "network.hidden.0.units", "must be at least 1 (got 0)"),
    ({"dataset": {"n_samples": 4097}}, "dataset.n_samples", "must be at most 4096 (got 4097)"),
    ({"dataset": {"n_samples": 9}}, "dataset.n_samples", "must be at least 10 (got 9)"),
    ({"training": {"batch_size": 0}}, "training.batch_size", "must be at least 1 (got 0)"),
    ({"training": {"batch_size": 1025}}, "training.batch_size", "must be at most 1024 (got 1025)"),
    ({"dataset": {"noise": -0.5}}, "dataset.noise", "must be at least 0.0 (got -0.5)"),
    ({"training": {"learning_rate": 0.0}}, "training.learning_rate",
     "must be greater than 0.0 (got 0.0)"),
    ({"training": {"learning_rate": -1.0}}, "training.learning_rate",
     "must be greater than 0.0 (got -1.0)"),
    ({"network": {"dropout": 0.95}}, "network.dropout", "must be at most 0.9 (got 0.95)"),
    ({"training": {"momentum": 1.0}}, "training.momentum", "must be less than 1.0 (got 1.0)"),
    ({"dataset": {"n_classes": 11}}, "dataset.n_classes", "must be at most 10 (got 11)"),
    ({"dataset": {"n_classes": 6}}, "dataset.n_classes", "spiral has at most 5 classes"),
    ({"seed": -1}, "seed", "must be at least 0 (got -1)"),
])
def test_out_of_range_values(config, field, message):
    assert rejects(config, field).message == message


@pytest.mark.parametrize("config, field", [
    ({"bogus": 1}, "bogus"),
    ({"network": {"layers": 3}}, "network.layers"),
    ({"training": {"lr": 0.1}}, "training.lr"),
    ({"dataset": {"name": "spiral", "size": 3}}, "dataset.size"),
    ({"network": {"hidden": [{"units": 3, "act": "relu"}]}}, "network.hidden.0.act"),
])
def test_unknown_fields_are_rejected_by_path(config, field):
    assert rejects(config, field).message == "unknown field"


@pytest.mark.parametrize("config, field", [
    ({"network": {"hidden": [{"units": "4"}]}}, "network.hidden.0.units"),
    ({"training": {"batch_size": True}}, "training.batch_size"),
    ({"seed": 1.0}, "seed"),
    ({"seed": "0"}, "seed"),
    ({"training": {"learning_rate": "0.1"}}, "training.learning_rate"),
    ({"network": {"batch_norm": 1}}, "network.batch_norm"),
    ({"network": {"hidden": 4}}, "network.hidden"),
    ({"network": {"hidden": [4]}}, "network.hidden.0"),
    ({"dataset": {"features": "x1"}}, "dataset.features"),
    ({"training": 5}, "training"),
])
def test_wrong_types_are_rejected(config, field):
    rejects(config, field)


@pytest.mark.parametrize("config, field", [
    ({"dataset": {"noise": math.nan}}, "dataset.noise"),
    ({"training": {"learning_rate": math.nan}}, "training.learning_rate"),
    ({"training": {"learning_rate": math.inf}}, "training.learning_rate"),
    ({"training": {"clip_threshold": math.inf}}, "training.clip_threshold"),
    ({"network": {"init_gain": -math.inf}}, "network.init_gain"),
])
def test_non_finite_numbers_are_rejected(config, field):
    rejects(config, field)


@pytest.mark.parametrize("config, field", [
    ({"training": {"optimizer": "lbfgs"}}, "training.optimizer"),
    ({"network": {"hidden": [{"activation": "swish"}]}}, "network.hidden.0.activation"),
    ({"dataset": {"name": "mnist"}}, "dataset.name"),
    ({"dataset": {"features": ["x3"]}}, "dataset.features.0"),
    ({"training": {"dtype": "float16"}}, "training.dtype"),
])
def test_unknown_choices_are_rejected(config, field):
    assert rejects(config, field).message.startswith("must be one of")


@pytest.mark.parametrize("config", [None, [], "{}", 3, [("seed", 0)]])
def test_non_dict_config_is_rejected(config):
    with pytest.raises(ConfigError) as info:
        validate_config(config)
    assert info.value.field == ""
    assert "JSON object" in str(info.value)


# --- merge and classification ---------------------------------------------------------------

def test_merge_deep_merges_and_replaces_lists_whole():
    base = validate_config({}).model_dump()
    snapshot = copy.deepcopy(base)
    partial = {"training": {"learning_rate": 0.1},
               "network": {"hidden": [{"units": 7, "activation": "relu"}]},
               "dataset": {"features": ["x1_sq"]}}
    merged = merge(base, partial)
    assert base == snapshot  # the base is not mutated
    assert merged["training"] == {**base["training"], "learning_rate": 0.1}
    assert merged["network"] == {**base["network"],
                                 "hidden": [{"units": 7, "activation": "relu"}]}
    assert merged["dataset"]["features"] == ["x1_sq"]
    assert merged["dataset"]["name"] == "spiral"
    assert merged["seed"] == 0


def test_merge_of_nothing_is_the_base():
    base = expected_defaults()
    assert merge(base, {}) == base and merge(base, {"training": {}}) == base


@pytest.mark.parametrize("partial, rebuild, live", [
    ({"training": {"learning_rate": 0.1}}, [], {"training": {"learning_rate": 0.1}}),
    ({"network": {"dropout": 0.2}}, [], {"network": {"dropout": 0.2}}),
    ({"training": {"batch_size": 20}}, [], {"training": {"batch_size": 20}}),
    ({"training": {"optimizer": "adam"}}, [], {"training": {"optimizer": "adam"}}),
    ({"training": {"clip": "norm", "l2": 0.01}}, [], {"training": {"clip": "norm", "l2": 0.01}}),
    ({"network": {"hidden": [{"units": 5}, {"units": 2}]}}, ["network.hidden"], {}),
    ({"network": {"hidden": [{"units": 4, "activation": "relu"}, {"units": 2}]}},
     ["network.hidden"], {}),
    ({"training": {"dtype": "float32"}}, ["training.dtype"], {}),
    ({"training": {"loss": "mse"}}, ["training.loss"], {}),
    ({"seed": 3}, ["seed"], {}),
    ({"dataset": {"features": ["x1"]}}, ["dataset.features"], {}),
    ({"network": {"init": "he_normal", "batch_norm": True}},
     ["network.init", "network.batch_norm"], {}),
    ({"seed": 1, "training": {"learning_rate": 0.5}}, ["seed"], {"training": {"learning_rate": 0.5}}),
])
def test_rebuild_and_live_classification(partial, rebuild, live):
    old = validate_config({})
    new = validate_config(merge(old.model_dump(), partial))
    assert sorted(rebuild_fields(old, new)) == sorted(rebuild)
    assert live_changes(old, new) == live


def test_fields_that_come_or_go_with_the_layer_kinds_count_as_changed():
    lstm = validate_config({"dataset": {"name": "adding"}, "network": {"hidden": [{"kind": "lstm", "units": 4}]},
                            "training": {"loss": "mse"}})
    rnn = validate_config(merge(lstm.model_dump(), {"network": {"hidden": [{"kind": "rnn", "units": 4}]}}))
    assert "forget_bias" not in rnn.model_dump()["network"]
    assert sorted(rebuild_fields(lstm, rnn)) == ["network.forget_bias", "network.hidden"]
    assert sorted(rebuild_fields(rnn, lstm)) == ["network.forget_bias", "network.hidden"]
    points = validate_config({})
    assert sorted(rebuild_fields(points, lstm)) == ["dataset.name", "dataset.seq_len", "network.forget_bias",
                                                    "network.hidden", "network.recurrent_init", "training.loss"]


def test_no_change_is_neither_live_nor_rebuild():
    old = validate_config({})
    assert rebuild_fields(old, validate_config({})) == [] and live_changes(old, old) == {}


# --- catalog --------------------------------------------------------------------------------

REGISTRIES = {"activations": ACTIVATIONS, "inits": INITS, "losses": LOSSES,
              "optimizers": OPTIMIZERS, "datasets": DATASETS, "features": FEATURES,
              "clips": CLIPS}


@pytest.mark.parametrize("kind", sorted(REGISTRIES))
def test_catalog_lists_every_registry_name_with_a_description(kind):
    entries = engine.catalog()["choices"][kind]
    assert [e["name"] for e in entries] == list(REGISTRIES[kind])
    assert all(isinstance(e["description"], str) and e["description"] for e in entries)


def test_catalog_lists_the_custom_set_last_with_no_preview_and_its_upload_bounds():
    datasets = engine.catalog()["choices"]["datasets"]
    assert [d["name"] for d in datasets] == [*GENERATED_SETS, "custom"]
    assert datasets[-1]["preview"] is None and datasets[-1]["input_kind"] == "points"
    custom = engine.catalog()["custom_points"]
    assert (custom["name"], custom["max_csv_bytes"]) == ("custom", MAX_CSV_BYTES)
    assert custom["headers"]["label"] == "classification" and custom["headers"]["value"] == "regression"


def test_catalog_choice_details():
    choices = engine.catalog()["choices"]
    losses = {e["name"]: e for e in choices["losses"]}
    assert losses["bce"]["tasks"] == ["classification"] and losses["bce"]["max_classes"] == 2
    assert losses["mse"]["tasks"] == ["classification", "regression"]
    assert losses["cross_entropy"]["max_classes"] == 10  # an image set's; a points set has at most 5
    datasets = {e["name"]: e for e in choices["datasets"]}
    assert datasets["plane"]["task"] == "regression"
    assert datasets["spiral"]["max_classes"] == 5 and datasets["gauss"]["max_classes"] == 2
    optimizers = {e["name"]: e for e in choices["optimizers"]}
    assert optimizers["sgd"]["reads"] == ["learning_rate"]
    assert "weight_decay" in optimizers["adamw"]["reads"]
    assert {e["name"]: e["label"] for e in choices["features"]}["x1x2"] == "x₁x₂"


def test_catalog_defaults_limits_and_live_fields():
    cat = engine.catalog()
    assert cat["defaults"] == expected_defaults()
    assert cat["limits"] == LIMITS
    assert cat["live_fields"]["network"] == ["dropout"]
    assert "learning_rate" in cat["live_fields"]["training"]
    assert "dtype" not in cat["live_fields"]["training"]
    assert "loss" not in cat["live_fields"]["training"]
    json.dumps(cat)  # the catalog travels in `hello` as JSON


def test_catalog_schema_enums_match_registries():
    schema = engine.catalog()["schema"]
    defs = schema["$defs"]
    assert set(schema["properties"]) == {"seed", "dataset", "network", "training"}
    assert defs["HiddenLayer"]["properties"]["activation"]["anyOf"] == [{"enum": list(ACTIVATIONS), "type": "string"},
                                                                         {"type": "null"}]
    assert defs["NetworkConfig"]["properties"]["init"]["enum"] == list(INITS)
    assert defs["TrainingConfig"]["properties"]["loss"]["enum"] == list(LOSSES)
    assert defs["TrainingConfig"]["properties"]["optimizer"]["enum"] == list(OPTIMIZERS)
    assert defs["TrainingConfig"]["properties"]["clip"]["enum"] == list(CLIPS)
    assert defs["TrainingConfig"]["properties"]["dtype"]["enum"] == ["float64", "float32"]
    assert defs["DatasetConfig"]["properties"]["name"]["enum"] == list(DATASETS)
    assert defs["DatasetConfig"]["properties"]["features"]["items"]["enum"] == list(FEATURES)
    assert defs["HiddenLayer"]["properties"]["units"]["maximum"] == 256
    assert defs["NetworkConfig"]["properties"]["hidden"]["maxItems"] == 32
    assert defs["TrainingConfig"]["properties"]["batch_size"]["maximum"] == 1024
    for name in ("DatasetConfig", "NetworkConfig", "TrainingConfig", "HiddenLayer"):
        assert defs[name]["additionalProperties"] is False


@pytest.mark.parametrize("document, field", [
    ({"a.b": 1}, '["a.b"]'),
    ({"network": {"0[0": 1}}, 'network["0[0"]'),
    ({"network": {"hidden": [{"units": 2, "x y": 1}]}}, 'network.hidden.0["x y"]'),
    ({"": 1}, '[""]'),
    ({"training": {"nope": 1}}, "training.nope"),
])
def test_an_unknown_key_that_is_no_plain_name_is_quoted_in_the_path(document, field):
    """A dotted path alone cannot say whether "a.b" is one key or two: such keys are quoted."""
    with pytest.raises(ConfigError) as caught:
        validate_config(document)
    assert (caught.value.field, caught.value.message) == (field, "unknown field")


@pytest.mark.parametrize("init", ["uniform", "xavier_uniform", "he_uniform", "normal"])
def test_a_negative_zero_gain_is_a_zero_gain(init):
    """Found by the protocol fuzzer: -0.0 passed the range check and then broke uniform inits."""
    from engine import Trainer
    config = validate_config({"network": {"init": init, "init_gain": -0.0}})
    assert str(config.network.init_gain) == "0.0"
    trainer = Trainer(config)
    assert not trainer.net.params[0]["W"].any()
