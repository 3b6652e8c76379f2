"""The golden runs that make_golden.py writes: a dozen small float64 configs, with live events."""

# name -> (what it covers, config, steps, live events {after step: partial config}).
# n_train = round(n_samples * 0.5); batch sizes are chosen so that an epoch ends mid-run with a
# shorter last batch (e.g. 35 train points in batches of 8: 8, 8, 8, 8, 3).
# Batch norm with Adam or RMSprop: the dense bias before a batch norm has a zero gradient in exact
# arithmetic (the normalization subtracts it again); what both sides compute is rounding noise
# (~1e-17), which an adaptive optimizer divides by sqrt(v) + eps ~ |noise| + eps. With the default
# eps 1e-8 that noise moves those biases by ~1e-11 a step in directions no reference can predict,
# so those runs use eps = 1e-4, which keeps that noise near 1e-14 and changes nothing else in kind.
RUNS = {
    "sgd_tanh_bce_lr_event": (
        "plain SGD, tanh, bce on circle with 4 expanded features, learning-rate change after step 9",
        {"seed": 1, "dataset": {"name": "circle", "n_samples": 70, "noise": 10.0,
                                "features": ["x1", "x2", "x1_sq", "x2_sq"]},
         "network": {"hidden": [{"units": 5, "activation": "tanh"}, {"units": 3, "activation": "tanh"}]},
         "training": {"loss": "bce", "optimizer": "sgd", "learning_rate": 0.1, "batch_size": 8}},
        20, {9: {"training": {"learning_rate": 0.03}}}),
    "momentum_relu_l2": (
        "SGD momentum, relu, l2 penalty, bce on xor, he_uniform init with bias_init",
        {"seed": 2, "dataset": {"name": "xor", "n_samples": 80, "noise": 5.0},
         "network": {"hidden": [{"units": 6, "activation": "relu"}, {"units": 4, "activation": "relu"}],
                     "init": "he_uniform", "bias_init": 0.1},
         "training": {"loss": "bce", "optimizer": "momentum", "momentum": 0.9, "learning_rate": 0.02,
                      "batch_size": 12, "l2": 0.01}},
        20, {}),
    "nesterov_sigmoid_clip_norm": (
        "SGD nesterov, sigmoid, clip by global norm (threshold below the norm), bce on gauss",
        {"seed": 3, "dataset": {"name": "gauss", "n_samples": 60, "noise": 20.0},
         "network": {"hidden": [{"units": 4, "activation": "sigmoid"}, {"units": 4, "activation": "sigmoid"},
                                {"units": 3, "activation": "sigmoid"}], "init_gain": 2.0},
         "training": {"loss": "bce", "optimizer": "nesterov", "momentum": 0.8, "learning_rate": 0.5,
                      "batch_size": 7, "clip": "norm", "clip_threshold": 0.05}},
        25, {}),
    "rmsprop_elu_l1": (
        "RMSprop (rho, eps), elu, l1 penalty, bce on moons",
        {"seed": 4, "dataset": {"name": "moons", "n_samples": 90, "noise": 10.0},
         "network": {"hidden": [{"units": 5, "activation": "elu"}, {"units": 5, "activation": "elu"}]},
         "training": {"loss": "bce", "optimizer": "rmsprop", "rho": 0.9, "eps": 1e-6,
                      "learning_rate": 0.005, "batch_size": 10, "l1": 0.003}},
        20, {}),
    "adam_gelu_bn": (
        "Adam, gelu (tanh approx), batch norm in train mode with running statistics, bce on spiral",
        {"seed": 5, "dataset": {"name": "spiral", "n_samples": 80, "noise": 5.0},
         "network": {"hidden": [{"units": 6, "activation": "gelu"}, {"units": 4, "activation": "gelu"}],
                     "batch_norm": True},
         "training": {"loss": "bce", "optimizer": "adam", "beta1": 0.8, "beta2": 0.99,
                      "eps": 1e-4, "learning_rate": 0.01, "batch_size": 9}},
        20, {}),
    "adamw_silu_residual": (
        "AdamW with weight_decay, silu, residual connections (3 equal-width hidden layers), bce on circle",
        {"seed": 6, "dataset": {"name": "circle", "n_samples": 70, "noise": 0.0},
         "network": {"hidden": [{"units": 4, "activation": "silu"}, {"units": 4, "activation": "silu"},
                                {"units": 4, "activation": "silu"}], "residual": True},
         "training": {"loss": "bce", "optimizer": "adamw", "weight_decay": 0.05,
                      "learning_rate": 0.01, "batch_size": 8}},
        20, {}),
    "ce3_leaky_relu_clip_value": (
        "cross_entropy on 3-class blobs, leaky_relu, clip by value, momentum, standardized inputs",
        {"seed": 7, "dataset": {"name": "blobs", "n_samples": 90, "n_classes": 3, "noise": 15.0,
                                "standardize": True},
         "network": {"hidden": [{"units": 6, "activation": "leaky_relu"},
                                {"units": 5, "activation": "leaky_relu"}], "init": "xavier_normal"},
         "training": {"loss": "cross_entropy", "optimizer": "momentum", "momentum": 0.7,
                      "learning_rate": 0.05, "batch_size": 10, "clip": "value", "clip_threshold": 0.05}},
        20, {}),
    "mse_plane_softplus": (
        "mse on the plane regression set, softplus, plain SGD, lecun_normal init",
        {"seed": 8, "dataset": {"name": "plane", "n_samples": 60, "noise": 5.0},
         "network": {"hidden": [{"units": 4, "activation": "softplus"}, {"units": 3, "activation": "softplus"}],
                     "init": "lecun_normal"},
         "training": {"loss": "mse", "optimizer": "sgd", "learning_rate": 0.003, "batch_size": 7}},
        20, {}),
    "ce3_bn_residual_nesterov_l2": (
        "cross_entropy on 3-arm spiral, batch norm + residual together, nesterov, l2, relu/tanh",
        {"seed": 9, "dataset": {"name": "spiral", "n_samples": 100, "n_classes": 3, "noise": 5.0},
         "network": {"hidden": [{"units": 5, "activation": "relu"}, {"units": 5, "activation": "tanh"},
                                {"units": 5, "activation": "relu"}], "batch_norm": True, "residual": True},
         "training": {"loss": "cross_entropy", "optimizer": "nesterov", "momentum": 0.9,
                      "learning_rate": 0.05, "batch_size": 16, "l2": 0.02}},
        20, {}),
    "mse_adam_clip_value_bn": (
        "mse on multigauss regression, Adam, clip by value, batch norm, elu/sigmoid",
        {"seed": 10, "dataset": {"name": "multigauss", "n_samples": 70, "noise": 0.0},
         "network": {"hidden": [{"units": 5, "activation": "elu"}, {"units": 4, "activation": "sigmoid"}],
                     "batch_norm": True},
         "training": {"loss": "mse", "optimizer": "adam", "eps": 1e-4, "learning_rate": 0.02, "batch_size": 11,
                      "clip": "value", "clip_threshold": 0.1}},
        20, {}),
    "events_optimizer_switch": (
        "live events: sgd -> adam switch after step 8 (fresh optimizer state), l1 and clip norm turned "
        "on after step 14, learning-rate change; tanh/softplus, bce on xor",
        {"seed": 11, "dataset": {"name": "xor", "n_samples": 64, "noise": 10.0},
         "network": {"hidden": [{"units": 4, "activation": "tanh"}, {"units": 5, "activation": "softplus"}]},
         "training": {"loss": "bce", "optimizer": "sgd", "learning_rate": 0.2, "batch_size": 10}},
        24, {8: {"training": {"optimizer": "adam", "learning_rate": 0.01}},
             14: {"training": {"l1": 0.01, "clip": "norm", "clip_threshold": 0.3, "learning_rate": 0.02}}}),
    "kitchen_sink_rmsprop": (
        "RMSprop with batch norm, residual, l1 + l2, clip by norm, cross_entropy on 3-class blobs, "
        "gelu/silu/tanh, orthogonal init; live rho change after step 12",
        {"seed": 12, "dataset": {"name": "blobs", "n_samples": 96, "n_classes": 3, "noise": 25.0},
         "network": {"hidden": [{"units": 6, "activation": "gelu"}, {"units": 6, "activation": "silu"},
                                {"units": 3, "activation": "tanh"}], "batch_norm": True, "residual": True,
                     "init": "orthogonal"},
         "training": {"loss": "cross_entropy", "optimizer": "rmsprop", "rho": 0.95, "eps": 1e-4, "learning_rate": 0.01,
                      "batch_size": 13, "l1": 0.002, "l2": 0.01, "clip": "norm", "clip_threshold": 0.5}},
        30, {12: {"training": {"rho": 0.8}}}),
    "cnn_tees_adam_l2": (
        "images: conv2d (padding 1, relu) -> max_pool -> conv2d (stride 2, tanh) -> avg_pool -> dense "
        "(flattening in (C, H, W) order), cross_entropy on 4-class tees, Adam, l1 + l2 on K and W, "
        "clip by norm; learning-rate change after step 10",
        {"seed": 13, "dataset": {"name": "tees", "n_samples": 60, "noise": 20.0},
         "network": {"hidden": [{"kind": "conv2d", "channels": 3, "kernel": 3, "padding": 1, "activation": "relu"},
                                {"kind": "max_pool", "size": 2},
                                {"kind": "conv2d", "channels": 4, "kernel": 3, "stride": 2, "activation": "tanh"},
                                {"kind": "avg_pool", "size": 2}, {"units": 5, "activation": "sigmoid"}],
                     "init": "he_uniform", "bias_init": 0.05},
         "training": {"loss": "cross_entropy", "optimizer": "adam", "learning_rate": 0.02, "batch_size": 7,
                      "l1": 0.001, "l2": 0.01, "clip": "norm", "clip_threshold": 0.3}},
        20, {10: {"training": {"learning_rate": 0.01}}}),
    "cnn_bars_sgd_stride": (
        "images: conv2d with stride 2 and a 5x5 kernel (padding 2), then a 2x2 max pool straight into "
        "the output; bce on bars, momentum SGD",
        {"seed": 14, "dataset": {"name": "bars", "n_samples": 50, "noise": 30.0},
         "network": {"hidden": [{"kind": "conv2d", "channels": 2, "kernel": 5, "stride": 2, "padding": 2,
                                 "activation": "leaky_relu"}, {"kind": "max_pool", "size": 2}]},
         "training": {"loss": "bce", "optimizer": "momentum", "learning_rate": 0.05, "batch_size": 6}},
        20, {}),
}
