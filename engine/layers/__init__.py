"""Every kind of layer, one module each, and the registry the config, catalog and network read."""
from .base import BIAS, SCALE, WEIGHT, Layer, ParamSpec
from .avg_pool import AvgPool
from .batch_norm import BatchNorm
from .block_end import BlockEnd
from .conv2d import Conv2d
from .dense import Dense
from .lstm import LSTM
from .max_pool import MaxPool
from .rnn import RNN

LAYERS = {layer.kind: layer for layer in (Dense, BatchNorm, RNN, LSTM, Conv2d, MaxPool, AvgPool)}  # kind -> Layer class

__all__ = ["BIAS", "LAYERS", "SCALE", "WEIGHT", "AvgPool", "BatchNorm", "BlockEnd", "Conv2d", "Dense", "LSTM",
           "Layer", "MaxPool", "ParamSpec", "RNN"]
