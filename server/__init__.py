"""Backprop Lab's server: the engine behind a FastAPI app, streamed over WebSockets."""
