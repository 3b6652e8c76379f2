"""The bounds a config must keep, shared by the config, its rules and the catalog."""

LIMITS = {
    "max_hidden_layers": 32,
    "max_units": 256,
    "min_samples": 10,
    "max_samples": 4096,
    "max_batch_size": 1024,
    "max_classes": 5,
    "min_seq_len": 2,
    "max_seq_len": 100,
    "max_recurrent_units": 64,
    "max_recurrent_layers": 4,
    "max_image_classes": 10,
    "max_image_side": 32,
    "max_image_channels": 3,
    "max_conv_layers": 6,
    "max_conv_channels": 32,
    "max_kernel": 7,
    "max_stride": 4,
    "max_pool_size": 4,
}
DEFAULT_SEQ_LEN = 20  # a sequence set's seq_len when the config names none
