"""Every kind of layer, one module each, and the registry the config, catalog and network read."""
from .base import BIAS, SCALE, WEIGHT, Layer, ParamSpec
from .batch_norm import BatchNorm
from .block_end import BlockEnd
from .dense import Dense
from .lstm import LSTM
from .rnn import RNN

LAYERS = {layer.kind: layer for layer in (Dense, BatchNorm, RNN, LSTM)}  # kind -> Layer class

__all__ = ["BIAS", "LAYERS", "SCALE", "WEIGHT", "BatchNorm", "BlockEnd", "Dense", "LSTM", "Layer", "ParamSpec",
           "RNN"]
