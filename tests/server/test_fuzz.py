"""Property-based fuzzing of the /ws protocol (Starlette's TestClient) and of the CLI's config file.

Protocol: every example opens one connection and sends a generated sequence of messages (valid
ones of every type, mutated ones, raw text that is not JSON or not strict JSON, binary frames),
one at a time. After each, a `speed` message with a unique `id` serves as a marker: replies come
in order, so everything before the marker's reply answers the message (or was sent by the play
loop: frames and statuses without an id). Reads have the helpers' timeouts, so nothing can hang.

Checked after every message: each reply is strict JSON of a known type; an `error` is the only
reply its message got, and it changed nothing (the config in force, asked for by an empty
`configure`; the step count, by a `pause` when not playing; the speed, in the marker's reply; the
phase-by-phase position, by the next `phase`); accepted messages get the replies
docs/protocol.md lists; the connection stays open; at the end a `step` gives step + 1.

The deterministic tests at the end pin the bugs this fuzzing found (fixed in 3029b17): each
failed before its fix.
"""
import contextlib
import itertools
import json
from dataclasses import dataclass, field, fields
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from engine import Config, catalog, parse_trace
from server.app import create_app
from server.cli import main as cli_main
from server.settings import Settings
from wsclient import Conversation, summary

MAX_ID_LENGTH = 200  # docs/protocol.md: an id is an integer or a string of at most 200 characters

SERVER_TYPES = {"hello", "config", "frame", "phase", "status", "trace", "speed", "explain", "error"}
CLIENT_TYPES = ["configure", "play", "pause", "step", "phase", "reset", "export", "speed", "explain"]
FRAME_FIELDS = {"type", "run", "step", "epoch", "status", "scalars", "metrics", "evaluations", "layers",
                "detail"}
SCHEMA = catalog()["schema"]
DEFAULTS = json.loads(json.dumps(Config().model_dump()))


def fuzz(examples: int) -> settings:
    """Hypothesis settings sized for CI: no per-example deadline, a fixed number of examples."""
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture,
                                           HealthCheck.filter_too_much])


def fuzz_settings(**overrides) -> Settings:
    """Settings() with the per-session message rate limit (if this build has one) lifted: a fuzz
    run sends messages far faster than a person, and a refusal for rate would make a message's
    fate depend on the clock. test_fuzz_default_settings_burst covers the limit itself."""
    known = {f.name for f in fields(Settings)}
    lifted = {k: v for k, v in {"message_rate": 1e9, "message_burst": 1e9}.items() if k in known}
    return Settings(**{**lifted, **overrides})


@contextlib.contextmanager
def fuzz_connection():
    """A fresh app (so no example can leave anything behind for the next) and one connection.

    (One app for all examples would do, but Starlette's TestClient cancels the app's task right
    after sending the disconnect, which can interrupt serve_websocket's cleanup before
    `registry.discard(session)`: the 17th connection was then refused as "too many sessions".)"""
    with TestClient(create_app(fuzz_settings())) as client:
        with client.websocket_connect("/ws") as ws:
            conv = StrictConversation(ws)
            conv.hello, conv.first_frame = conv.open()
            yield conv


# ---- strict reading -----------------------------------------------------------------------------

def strict_json(text: str):
    """json.loads that fails the test on NaN, Infinity or -Infinity (JSON.parse rejects them)."""
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON {c!r} in {text[:300]}"))


class StrictConversation(Conversation):
    """The helpers' Conversation, parsing every server message with `strict_json`."""

    def parse(self, text: str) -> dict:
        message = strict_json(text)
        check_well_formed(message)
        return message


def check_well_formed(m) -> None:
    """A server message: an object with a known `type` and that type's fields."""
    assert isinstance(m, dict) and m.get("type") in SERVER_TYPES, str(m)[:300]
    kind = m["type"]
    if kind == "error":
        assert {"message", "field"} <= set(m), summary(m)
        assert isinstance(m["message"], str) and m["message"], summary(m)
        assert m["field"] is None or isinstance(m["field"], str), summary(m)
        assert "internal error" not in m["message"], f"the session failed: {summary(m)}"
    elif kind == "frame":
        assert FRAME_FIELDS <= set(m), sorted(m)
        assert isinstance(m["step"], int) and m["step"] >= 0 and isinstance(m["run"], int)
        assert m["status"] in ("running", "paused")
    elif kind == "status":
        assert m["status"] in ("running", "paused", "diverged"), summary(m)
    elif kind == "phase":
        assert m["phase"] in ("forward", "loss", "backward", "update"), summary(m)
    elif kind == "config":
        assert {"config", "reset"} <= set(m)
    elif kind == "speed":
        assert {"fps", "steps_per_second"} <= set(m)
    elif kind == "trace":
        assert isinstance(m["trace"], dict)
    elif kind == "explain":
        assert {"step", "layer", "row", "column", "grad"} <= set(m), summary(m)


# ---- the session as the client sees it ------------------------------------------------------------

MARKERS = itertools.count()


def _valid_id(value) -> bool:
    """An id the server echoes: an integer, or a string of at most MAX_ID_LENGTH characters."""
    return ((isinstance(value, str) and len(value) <= MAX_ID_LENGTH)
            or (isinstance(value, int) and not isinstance(value, bool)))


def _as_server_reads(message):
    """The message as the server's parser (orjson) reads it; None if it is not JSON text."""
    if isinstance(message, bytes):
        return None
    try:
        return orjson.loads(json.dumps(message) if isinstance(message, dict) else message)
    except orjson.JSONDecodeError:
        return None


def _background(m: dict) -> bool:
    """A message the play loop sends on its own (no id): frames, and `diverged`."""
    return "id" not in m and (m["type"] == "frame" or (m["type"] == "status" and m["status"] == "diverged"))


def phase_order(n_entries: int) -> list[tuple]:
    """(phase, layer) of one step run phase by phase."""
    return ([("forward", i) for i in range(n_entries)] + [("loss", None)]
            + [("backward", i) for i in reversed(range(n_entries))] + [("update", None)])


@dataclass
class Model:
    """What the client knows of its session; `None` where it cannot know (while playing)."""
    config: dict
    layers: list
    step: int | None = 0
    playing: bool = False
    run: int = 1
    speed: tuple = (30.0, None)
    cycle: int | None = 0  # phases done of the step in progress (None: unknown)
    last_frame_step: int = 0
    unsent: bool = False  # steps may have run that no frame has carried yet (after play)
    sent: int = 0  # messages sent, markers and probes included
    stats: dict = field(default_factory=lambda: {"messages": 0, "refused": 0, "accepted": 0})


class Session:
    """One fuzzed connection: sends, drains to a marker, checks and tracks its model."""

    def __init__(self, conv: StrictConversation):
        self.conv = conv
        hello, frame = conv.hello, conv.first_frame
        assert hello["config"] == DEFAULTS and frame["step"] == 0
        self.model = Model(config=hello["config"], layers=frame["layers"], run=frame["run"])

    # -- sending ---------------------------------------------------------------------------------
    def exchange(self, message) -> list[dict]:
        """Send a message and a marker; return the replies before the marker's (checked in order)."""
        marker = f"marker-{next(MARKERS)}"
        self.conv.send(message)
        self.conv.send({"type": "speed", "id": marker})
        self.model.sent += 2
        got = self.conv.until(lambda m: m.get("id") == marker)
        *replies, end = got
        assert end["type"] == "speed", summary(end)
        for m in replies:
            assert m["type"] != "hello", "a second hello"
        self.marker_reply = end
        return replies

    def send(self, message) -> None:
        """One fuzzed message: send it, check its replies, and keep the model in step."""
        model = self.model
        model.stats["messages"] += 1
        before = (model.config, model.step, model.playing, model.speed, model.cycle, model.run)
        replies = self.exchange(message)
        own = [m for m in replies if not _background(m)]
        errors = [m for m in replies if m["type"] == "error"]
        wire = _as_server_reads(message)  # e.g. 10**30 arrives as 1e30
        mid = wire.get("id") if isinstance(wire, dict) else None
        kind = wire.get("type") if isinstance(wire, dict) and isinstance(wire.get("type"), str) else None
        if errors:
            model.stats["refused"] += 1
            assert own == errors and len(errors) == 1, (
                f"a refused message got {[summary(m) for m in own]}")
            if _valid_id(mid):  # its id is echoed; an id that cannot be one is not
                assert errors[0].get("id") == mid, summary(errors[0])
            elif isinstance(wire, dict):
                assert "id" not in errors[0], summary(errors[0])
            self.absorb(replies, kind=None)  # background frames only
            self.check_unchanged(before)
        else:
            model.stats["accepted"] += 1
            assert kind in CLIENT_TYPES, f"{message!r:.200} was not refused"
            if _valid_id(mid):
                assert all(m.get("id") in (mid, None) for m in replies), [summary(m) for m in replies]
            self.absorb(replies, kind=kind, message=wire if isinstance(wire, dict) else {},
                        mid=mid if _valid_id(mid) else None)
        self.check_speed(self.marker_reply)

    # -- checks ----------------------------------------------------------------------------------
    def check_speed(self, reply: dict) -> None:
        assert (reply["fps"], reply["steps_per_second"]) == self.model.speed, summary(reply)

    def check_unchanged(self, before) -> None:
        """After a refusal: the config, the step count and the speed are what they were."""
        config, step, playing, speed, cycle, run = before
        model = self.model
        assert (model.config, model.speed, model.cycle, model.run) == (config, speed, cycle, run)
        probe = f"probe-{next(MARKERS)}"
        replies = self.exchange({"type": "configure", "config": {}, "id": probe})
        own = [m for m in replies if m.get("id") == probe]
        assert [m["type"] for m in own] == ["config"], [summary(m) for m in own]
        assert own[0]["config"] == config and own[0]["reset"] is False, "a refused message changed the config"
        self.absorb([m for m in replies if _background(m)], kind=None)
        if not model.playing:  # a pause answers with the step count, and changes nothing then
            unsent = model.unsent
            replies = self.exchange({"type": "pause", "id": probe})
            kinds = [m["type"] for m in replies]
            assert kinds == ["status"] or (unsent and kinds == ["frame", "status"]), (
                [summary(m) for m in replies])  # (a frame of steps that play ran, if any)
            status = replies[-1]
            assert status["status"] == "paused" and replies[0]["step"] == status["step"]
            if step is not None:
                assert status["step"] == step, "a refused message changed the step count"
            model.step, model.unsent = status["step"], False

    def absorb(self, replies: list[dict], kind=None, message=None, mid=None) -> None:
        """Update the model from a message's replies (and the play loop's), checking each."""
        model = self.model
        own = [m for m in replies if mid is not None and m.get("id") == mid]
        kinds = [m["type"] for m in own]
        start_step, was_playing, was_unsent = model.step, model.playing, model.unsent
        if kind == "play":
            model.cycle = None  # steps may or may not have finished the step in progress
        for m in replies:
            t = m["type"]
            if kind in ("step", "phase") and not _background(m):
                model.playing = False  # both pause a playing session first (silently)
            if t == "frame":
                assert m["run"] >= model.run, "run went back"
                if m["run"] > model.run:
                    model.run, model.last_frame_step = m["run"], 0
                assert m["step"] >= model.last_frame_step or m["step"] == 0, "step went back in a run"
                model.last_frame_step = m["step"]
                model.layers = m["layers"]
                model.step = None if model.playing else m["step"]
                model.unsent = model.playing
            elif t == "config":
                model.config = m["config"]
                if m["reset"]:
                    model.cycle = 0
                    model.step = None if model.playing else 0
            elif t == "status":
                if m["status"] == "running":
                    model.playing, model.step, model.unsent = True, None, True
                elif m["status"] == "paused":
                    model.playing, model.step = False, m["step"]
                else:  # diverged: the refused step is the one after the last applied
                    model.playing = False
                    if model.step is not None:
                        assert m["step"] == model.step + 1, summary(m)
            elif t == "phase":
                order = phase_order(len(model.layers))
                here = (m["phase"], m["layer"])
                assert here in order, (here, len(model.layers))
                if model.cycle is not None:
                    assert here == order[model.cycle], f"phase {here}, expected {order[model.cycle]}"
                if model.step is not None:
                    assert m["step"] == model.step + 1, summary(m)
                model.step = m["step"] - 1
                model.cycle = (order.index(here) + 1) % len(order)
            elif t == "speed":
                model.speed = (m["fps"], m["steps_per_second"])
            elif t == "trace":
                trace = m["trace"]
                parse_trace(orjson.dumps(trace))  # an export always loads back
                if trace["steps"] and not model.playing and model.step is not None:
                    assert trace["steps"][-1]["step"] == model.step
            elif t == "explain" and model.step is not None:
                assert m["step"] == model.step
        if kind in ("step", "phase") and model.playing:  # answered without an id: stopped somewhere
            model.playing, model.step = False, None
        if kind in ("step", "reset") or (kind == "phase" and "frame" in kinds):
            model.cycle = 0
        if mid is None or kind is None:
            return
        # the replies docs/protocol.md lists, in order
        if kind == "configure":
            assert kinds in (["config"], ["config", "frame"]), kinds
            assert (kinds == ["config", "frame"]) == own[0]["reset"]
        elif kind == "play":
            assert kinds == ["status"] and own[0]["status"] == "running", kinds
        elif kind == "pause":
            assert kinds in (["status"], ["frame", "status"]) and own[-1]["status"] == "paused", kinds
            if not was_playing and not was_unsent:
                assert kinds == ["status"], "a pause when paused, every step sent, sent a frame"
        elif kind == "step":
            assert kinds in (["frame"], ["frame", "status"]), kinds
            count = message.get("count", 1)
            if not was_playing and start_step is not None:
                if kinds == ["frame"]:
                    assert own[0]["step"] == start_step + count, (own[0]["step"], start_step, count)
                else:
                    assert own[1]["status"] == "diverged"
                    assert start_step <= own[0]["step"] < start_step + count
        elif kind == "phase":
            assert kinds in (["phase"], ["phase", "frame"], ["phase", "frame", "status"]), kinds
            assert (len(kinds) > 1) == (own[0]["phase"] == "update")
        elif kind == "reset":
            assert kinds == ["config", "frame"] and own[0]["reset"] and own[1]["step"] == 0, kinds
        elif kind == "export":
            assert kinds == ["trace"], kinds
        elif kind == "speed":
            assert kinds == ["speed"], kinds
            if "fps" in message and message["fps"] is not None:
                assert own[0]["fps"] == message["fps"]
            if "steps_per_second" in message:
                assert own[0]["steps_per_second"] == message["steps_per_second"]
        elif kind == "explain":
            assert kinds == ["explain"], kinds

    def finish(self) -> None:
        """The connection still works: a valid `step` gives a frame of step + 1."""
        model = self.model
        if model.playing or model.step is None:
            self.send({"type": "pause", "id": "final-pause"})
        start = model.step
        replies = self.exchange({"type": "step", "id": "final"})
        own = [m for m in replies if m.get("id") == "final"]
        assert own and own[0]["type"] == "frame", [summary(m) for m in own]
        if own[0]["step"] != start + 1:  # this config diverges: back to the defaults, then step
            assert own[0]["step"] == start and own[-1]["type"] == "status" and own[-1]["status"] == "diverged"
            self.exchange({"type": "configure", "config": DEFAULTS, "id": "defaults"})
            self.exchange({"type": "reset", "id": "reset"})
            replies = self.exchange({"type": "step", "id": "final-again"})
            assert [m["step"] for m in replies if m.get("id") == "final-again"] == [1]


# ---- strategies --------------------------------------------------------------------------------

# Valid configs cost training time: bounds on what a fuzzed configure may ask for (the engine's
# own ranges are fuzzed in tests/engine/test_fuzz_loaders.py, where checking is cheap).
CAPS = {"n_samples": 300, "units": 10, "hidden": 3, "batch_size": 32}


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def value_of(node: dict, name: str = "") -> st.SearchStrategy:
    """Valid values of one schema node, within CAPS."""
    node = _resolve(node)
    if "anyOf" in node:  # an optional field: any of its forms
        return st.one_of(*(value_of(form, name) for form in node["anyOf"]))
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        lo = node.get("minimum", 0)
        return st.integers(lo, min(node.get("maximum", 2**31), CAPS.get(name, 2**31)))
    if kind == "number":
        return st.floats(node.get("minimum", node.get("exclusiveMinimum")),
                         node.get("maximum", node.get("exclusiveMaximum")),
                         exclude_min="exclusiveMinimum" in node, exclude_max="exclusiveMaximum" in node)
    if kind == "array":
        items = _resolve(node["items"])
        return st.lists(value_of(items), min_size=node.get("minItems", 0),
                        max_size=min(node.get("maxItems", 4), CAPS.get(name, 4)), unique="enum" in items)
    if kind == "object":
        props = node["properties"]
        return st.fixed_dictionaries({}, optional={k: value_of(v, k) for k, v in props.items()})
    raise AssertionError(f"schema node without a strategy: {node}")


partial_configs = value_of(SCHEMA)

HOSTILE = [None, True, False, "", "1", "é🙂", [], {}, [1], {"a": 1}, 0, -1, 1.5, -0.0, 1e308, -1e308,
           10**30, -10**30, 2**31, 2**63 - 1, 2**63, 2**64 - 1, 2**64, 5e-324, 1e-300, 100001]


json_leaves = (st.none() | st.booleans() | st.integers(-2**70, 2**70)
               | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
json_values = st.recursive(json_leaves, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


def nested_text(depth: int, kind: str) -> str:
    """[[...]] or {"a":{...}} nested `depth` levels, as text (json.dumps stops short of that)."""
    return "[" * depth + "]" * depth if kind == "list" else '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


@dataclass
class Item:
    """One fuzzed message: a dict (sent as JSON, with a fresh `id` when `with_id`), raw text, or
    bytes (sent as a binary frame); `what` says how it was made (for failure reports)."""
    payload: Any
    what: str
    with_id: bool = True

    def __repr__(self):
        text = self.payload if isinstance(self.payload, (str, bytes)) else json.dumps(self.payload)
        return f"Item({self.what}: {text[:160]!r}{'...' if len(text) > 160 else ''})"


def _body(kind: str) -> st.SearchStrategy:
    """Valid message bodies of one type."""
    if kind == "configure":
        return st.fixed_dictionaries({"type": st.just(kind), "config": partial_configs})
    if kind == "step":
        return st.fixed_dictionaries({"type": st.just(kind)}, optional={"count": st.integers(1, 6)})
    if kind == "speed":
        return st.fixed_dictionaries({"type": st.just(kind)}, optional={
            "fps": st.floats(1, 60), "steps_per_second": st.none() | st.floats(0.1, 1e6)})
    if kind == "explain":
        small = st.integers(0, 4)
        return st.fixed_dictionaries({"type": st.just(kind), "layer": small, "row": small,
                                      "column": small}, optional={"example": st.integers(0, 12)})
    return st.just({"type": kind})


# weights: phases and steps often (they have the most state), play less (frames then stream)
VALID_KINDS = ["configure"] * 3 + ["step"] * 3 + ["phase"] * 5 + ["pause"] * 2 + [
    "play", "reset", "export", "speed", "explain", "explain"]
valid_items = st.sampled_from(VALID_KINDS).flatmap(_body).map(lambda b: Item(b, f"valid {b['type']}"))

MESSAGE_FIELDS = {"configure": ["config"], "step": ["count"], "speed": ["fps", "steps_per_second"],
                  "explain": ["layer", "row", "column", "example"]}


@st.composite
def mutated_items(draw):
    """A valid message with one thing wrong (or, by chance, still right)."""
    body = dict(draw(st.sampled_from(VALID_KINDS).flatmap(_body)))
    kind = body["type"]
    how = draw(st.sampled_from(["field", "field", "field", "config", "config", "extra", "type",
                                "no_type", "id", "no_id"]))
    with_id = True
    if how == "field":
        name = draw(st.sampled_from(MESSAGE_FIELDS.get(kind, ["count", "fps", "layer"])))
        body[name] = draw(st.sampled_from(HOSTILE) | json_values)
        what = f"{kind}.{name} hostile"
    elif how == "config":
        body = {"type": "configure", "config": draw(mutated_configs())}
        what = "configure, mutated config"
    elif how == "extra":
        body[draw(st.text(min_size=1, max_size=10))] = draw(json_leaves)
        what = f"{kind} with an extra field"
    elif how == "type":
        body["type"] = draw(st.sampled_from(["", "PLAY", "ack", "hello", "frame", " play"])
                            | st.text(max_size=12) | st.sampled_from(HOSTILE))
        what = "type replaced"
    elif how == "no_type":
        del body["type"]
        what = "no type"
    elif how == "id":
        body["id"] = draw(st.sampled_from([1.5, True, False, None, [], {}, [1, "a"], {"id": 1}, 10**30,
                                           2**64 - 1, -2**63, "", "é🙂" * 50, 1e308,
                                           "x" * MAX_ID_LENGTH, "x" * (MAX_ID_LENGTH + 1)]))
        with_id, what = False, f"{kind} with id {body['id']!r}"[:60]
    else:
        with_id, what = False, f"{kind} without id"
    return Item(body, what, with_id)


@st.composite
def mutated_configs(draw):
    """A partial config drawn from the schema, with one part made wrong."""
    config = draw(partial_configs)
    sections = [k for k, v in config.items() if isinstance(v, dict)]
    how = draw(st.sampled_from(["leaf", "leaf", "unknown", "section", "whole", "hidden"]))
    if how == "leaf" and sections:
        section = draw(st.sampled_from(sections))
        props = list(_resolve(SCHEMA["properties"][section])["properties"])
        config[section][draw(st.sampled_from(props))] = draw(st.sampled_from(HOSTILE) | json_values)
    elif how == "unknown":
        target = config[draw(st.sampled_from(sections))] if sections and draw(st.booleans()) else config
        target[draw(st.text(min_size=1, max_size=10))] = draw(json_leaves)
    elif how == "section":
        config[draw(st.sampled_from(["dataset", "network", "training", "seed"]))] = draw(
            st.sampled_from(HOSTILE))
    elif how == "whole":
        return draw(st.sampled_from(HOSTILE) | json_values)
    elif how == "hidden":
        config.setdefault("network", {})["hidden"] = draw(st.sampled_from([
            [{"units": 0}], [{"units": 257}], [{"units": 4}] * 33, [{"units": 2, "activation": "nope"}],
            [{"units": 2, "extra": 1}], [[]], [None], "tanh", [{"units": 10**30}]]))
    return config


NUMBER_TEMPLATES = ['{"type":"step","count":%s,"id":"t"}', '{"type":"speed","fps":%s}',
                    '{"type":"speed","steps_per_second":%s,"id":5}',
                    '{"type":"explain","layer":0,"row":%s,"column":0}',
                    '{"type":"configure","config":{"training":{"learning_rate":%s}},"id":"c"}',
                    '{"type":"configure","config":{"seed":%s}}', '{"type":"play","id":%s}']
NUMBER_TEXTS = ["NaN", "Infinity", "-Infinity", "nan", "inf", "1e309", "-1e400", "1" + "0" * 30,
                "18446744073709551615", "18446744073709551616", "-9223372036854775809", "1e308",
                "0.0", "-0", "1E2", "2.5e-324", "0x10", "01", "+1", ".5"]


@st.composite
def raw_items(draw):
    """Text that is not a valid message: NaN literals, deep nesting, non-objects, junk, binary."""
    how = draw(st.sampled_from(["number", "number", "deep", "deep", "non_object", "unicode",
                                "truncated", "object", "binary", "binary_json", "big"]))
    if how == "number":  # a number (or NaN/Infinity) spelled as raw text where a message holds one
        text = draw(st.sampled_from(NUMBER_TEMPLATES)) % draw(st.sampled_from(NUMBER_TEXTS))
        return Item(text, "number literal", False)
    if how == "deep":  # nested 1..5000 levels (orjson reads up to 1024), wherever a message has a value
        depth = draw(st.sampled_from([1, 2, 64, 254, 255, 256, 500, 1000, 1022, 1023, 1024, 1025, 3000]))
        kind = draw(st.sampled_from(["list", "dict"]))
        where = draw(st.sampled_from(["top", "config", "config_field", "literal", "count", "extra",
                                      "type", "id"]))
        value = nested_text(depth, kind)
        text = {"top": value, "config": '{"type":"configure","config":%s}',
                "config_field": '{"type":"configure","config":{"training":{"learning_rate":%s}}}',
                "literal": '{"type":"configure","id":1,"config":{"dataset":{"name":%s}}}',
                "count": '{"type":"step","count":%s,"id":2}', "extra": '{"type":"play","x":%s}',
                "type": '{"type":%s}', "id": '{"type":"pause","id":%s}'}[where]
        return Item(text if where == "top" else text % value, f"{kind} {depth} deep at {where}", False)
    if how == "non_object":
        return Item(json.dumps(draw(json_values.filter(lambda v: not isinstance(v, dict)))),
                    "non-object JSON", False)
    if how == "unicode":
        return Item(draw(st.text(max_size=80)), "random text", False)
    if how == "truncated":
        body = draw(st.sampled_from(VALID_KINDS).flatmap(_body))
        text = json.dumps({**body, "id": 9})
        return Item(text[:draw(st.integers(0, len(text) - 1))], "truncated", False)
    if how == "object":  # random fields under a real type
        body = draw(st.dictionaries(st.text(max_size=8), json_values, max_size=4))
        body["type"] = draw(st.sampled_from(CLIENT_TYPES))
        return Item(json.dumps(body), f"random {body['type']} fields", False)
    if how == "binary":
        return Item(draw(st.binary(max_size=64)), "binary frame", False)
    if how == "binary_json":
        return Item(json.dumps({"type": "step", "id": 3}).encode(), "binary frame of JSON", False)
    size = draw(st.sampled_from([64 * 1024 - 40, 64 * 1024 + 1, 70_000, 300_000]))  # the 64 KiB cap
    pad = draw(st.sampled_from(["x", "é", "🙂"]))
    return Item('{"type":"play","pad":"' + pad * (size // len(pad.encode())) + '"}', f"{size} bytes", False)


items = st.one_of(valid_items, valid_items, mutated_items(), raw_items())
sequences = st.lists(items, min_size=15, max_size=50)


def run_sequence(conv: StrictConversation, sequence: list) -> Model:
    """Send a fuzzed sequence on one connection, checking after every message; then finish."""
    session = Session(conv)
    ids = itertools.count(1)
    for k, item in enumerate(sequence):
        payload = item.payload
        if isinstance(payload, dict) and item.with_id:
            n = next(ids)
            payload = {**payload, "id": n if n % 2 else f"m{n}"}
        text = json.dumps(payload) if isinstance(payload, dict) else payload
        note(f"#{k} {item.what}: {text[:200]!r}")
        session.send(payload)
    session.finish()
    return session.model


# ---- 1. protocol fuzzing -------------------------------------------------------------------------

TOTALS = {"examples": 0, "messages": 0, "refused": 0, "accepted": 0, "sent": 0}


@fuzz(80)
@given(sequences)
def test_fuzz_protocol(sequence):
    with fuzz_connection() as conv:
        model = run_sequence(conv, sequence)
    TOTALS["examples"] += 1
    TOTALS["sent"] += model.sent
    for k in ("messages", "refused", "accepted"):
        TOTALS[k] += model.stats[k]


@fuzz(25)
@given(st.lists(st.sampled_from(["play", "pause", "step", "phase", "configure", "reset", "export",
                                 "speed"]), min_size=10, max_size=40),
       st.lists(partial_configs, min_size=1, max_size=4))
def test_fuzz_interleavings(kinds, configs):
    """Valid messages only, play/pause/step/phase/configure/reset/export in any order."""
    with fuzz_connection() as conv:
        session = Session(conv)
        for k, kind in enumerate(kinds):
            body = {"type": kind, "id": k + 1}
            if kind == "configure":
                body["config"] = configs[k % len(configs)]
            elif kind == "step":
                body["count"] = 1 + k % 3
            elif kind == "speed":
                body["steps_per_second"] = [None, 50.0, 2000.0][k % 3]
            note(f"#{k} {json.dumps(body)[:200]}")
            session.send(body)
        session.finish()
        TOTALS["examples"] += 1
        TOTALS["messages"] += session.model.stats["messages"]
        TOTALS["sent"] += session.model.sent


@pytest.fixture(scope="module", autouse=True)
def report_totals():
    """After the module, print how much the protocol fuzzing sent (visible with -s): examples,
    fuzzed messages (refused, accepted) and all messages sent (markers and probes included)."""
    yield
    if TOTALS["examples"]:
        print(f"\nprotocol fuzzing: {TOTALS}")


def test_fuzz_default_settings_burst(make_client):
    """Settings() as shipped (rate limit on): a pipelined burst of mixed messages, some refused
    for rate. Every reply is strict and well formed, the connection stays open, a pause still
    gets through, and a `step` eventually succeeds."""
    client = make_client()
    burst = [{"type": "step", "id": f"s{k}"} if k % 3 == 0 else
             '{"type":"speed","fps":NaN}' if k % 3 == 1 else
             {"type": "configure", "config": {"training": {"learning_rate": 1e308}}, "id": k}
             for k in range(420)]
    with client.websocket_connect("/ws") as ws:
        conv = StrictConversation(ws)
        conv.hello, conv.first_frame = conv.open()
        for message in burst:
            conv.send(message)
        conv.send({"type": "pause", "id": "stop"})
        replies = conv.until(lambda m: m.get("id") == "stop" and m["type"] == "status")
        steps = [m["step"] for m in replies if m["type"] == "frame" and str(m.get("id", "")).startswith("s")]
        # each step that got through did one step, except those the pause cut short (the pause
        # also cancels steps queued before it and not yet begun: they answer with no step done)
        assert all(b - a in (0, 1) for a, b in zip([0] + steps, steps)), steps
        assert replies[-1]["step"] == (steps[-1] if steps else 0)
        done = replies[-1]["step"]
        for attempt in itertools.count():  # refused for rate until tokens come back
            conv.send({"type": "step", "id": f"final{attempt}"})
            reply = conv.until(lambda m: m.get("id") == f"final{attempt}")[-1]
            if reply["type"] == "frame":
                assert reply["step"] == done + 1
                break
            assert reply["type"] == "error" and attempt < 10_000


# ---- 4. the CLI's config loader ---------------------------------------------------------------------

@st.composite
def config_files(draw):
    how = draw(st.sampled_from(["valid", "valid", "mutated", "json", "bytes", "utf8", "numbers",
                                "deep", "literal"]))
    if how == "valid":
        return how, json.dumps(draw(partial_configs)).encode()
    if how == "mutated":
        return how, json.dumps(draw(mutated_configs())).encode()
    if how == "json":
        return how, json.dumps(draw(json_values)).encode()
    if how == "bytes":  # not UTF-8 (or by chance it is)
        return how, draw(st.binary(max_size=64))
    if how == "utf8":  # invalid UTF-8 inside an otherwise fine document, or another encoding
        return how, draw(st.sampled_from([b'{"seed": "\xff\xfe"}', b'{"\xc3\x28": 1}', b"\xef\xbb\xbf{}",
                                          '{"seed": 1}'.encode("utf-16"), b'{"seed": 1}\x00',
                                          b'{"dataset": {"name": "spiral\xed\xa0\x80"}}']))
    if how == "numbers":
        field_path, number = draw(st.sampled_from(['{"seed": %s}', '{"training": {"learning_rate": %s}}',
                                                   '{"dataset": {"n_samples": %s}}',
                                                   '{"network": {"hidden": [{"units": %s}]}}'])), \
            draw(st.sampled_from(["1e400", "-1e400", "1" + "0" * 30, "1" + "0" * 5000, "NaN",
                                  "Infinity", "-Infinity", "1e308", "18446744073709551616", "-0",
                                  "4294967295", "4294967296", "2.5e-324"]))
        return how, (field_path % number).encode()
    if how == "deep":
        depth = draw(st.sampled_from([1, 50, 300, 500, 1000, 1023, 1024, 1025, 5000, 100_000]))
        return how, ('{"training": %s}' % nested_text(depth, draw(st.sampled_from(["list", "dict"])))).encode()
    return how, draw(st.sampled_from([b"", b"{}", b"  ", b"true", b'"{}"', b"{}{}", b"{} // comment",
                                      b"{'seed': 1}", b'{"seed": 1,}', b"[1]", b"1"]))


@fuzz(45)
@given(config_files())
def test_fuzz_cli_run_config(tmp_path, capsys, case):
    how, content = case
    note(f"{how}: {content[:200]!r}")
    path, out = tmp_path / "config.json", tmp_path / "out.trace.json"
    path.write_bytes(content)
    out.unlink(missing_ok=True)
    capsys.readouterr()
    code = cli_main(["run", "--config", str(path), "--steps", "3", "--out", str(out)])
    stdout, stderr = capsys.readouterr()
    assert "Traceback" not in stderr
    assert code in (0, 1, 2), code
    if code == 2:
        assert stderr.startswith(f"backprop-lab run: {path}: ") and len(stderr.strip()) > len(str(path)) + 20
        assert not out.exists()
    else:  # ran: 3 steps (1: a step diverged), and wrote a trace that loads back
        assert (code == 1) == ("DIVERGED" in stdout), stdout
        assert parse_trace(out.read_bytes())["format"] == "backprop-lab-trace"


# ---- bugs the fuzzing found (fixed in 3029b17; each of these failed before) -----------------------

def _survives(make_client, text: str) -> None:
    """Send one bad message: it gets one `error`, and the connection goes on."""
    client = make_client()
    with client.websocket_connect("/ws") as ws:
        conv = StrictConversation(ws)
        conv.hello, conv.first_frame = conv.open()
        conv.send(text)
        assert conv.recv()["type"] == "error"
        assert conv.step(1, id="after")["step"] == 1


def test_deep_id_keeps_the_connection(make_client):
    """Was: server/connection.py `_parse` echoed a refused message's `id` whatever it was; an id
    nested past 254 levels cannot be encoded by orjson (its limit is 255), so `frames.to_json`
    raised TypeError inside `_receive_all` and the connection closed."""
    _survives(make_client, '{"type":"pause","id":%s}' % nested_text(300, "list"))


def test_deep_type_keeps_the_connection(make_client):
    """Was: server/protocol.py `parse_message` wrote an unknown type with `{kind!r}`; repr() of a
    `type` nested ~1000 levels (orjson reads up to 1024) raised RecursionError, which
    `_receive_all` did not catch: the connection closed."""
    _survives(make_client, '{"type":%s}' % nested_text(1000, "list"))


def test_deep_config_value_keeps_the_session(make_client):
    """Was: engine/config.py `_message` wrote the rejected value with `{got!r}`: a `configure`
    whose `dataset.name` was nested ~1000 levels raised RecursionError in the session, and the
    scheduler ended the session ("internal error: this session stopped")."""
    client = make_client()
    with client.websocket_connect("/ws") as ws:
        conv = StrictConversation(ws)
        conv.hello, conv.first_frame = conv.open()
        conv.send('{"type":"configure","id":1,"config":{"dataset":{"name":%s}}}' % nested_text(1000, "list"))
        reply = conv.recv()
        assert reply["type"] == "error" and reply["field"] == "dataset.name", summary(reply)
        assert conv.step(1, id="after")["step"] == 1


def test_tiny_steps_per_second_keeps_training(make_client):
    """Was: protocol.Speed allowed any steps_per_second > 0. While playing at, e.g., 1e-12
    steps/s, Session.next_wake() was ~1e12 s away and server/scheduler.py `_run` called
    `self.wake.wait(timeout)` with it: OverflowError ("timestamp out of range for platform
    time_t") killed the process's one trainer thread, so every session of the process stopped
    answering."""
    client = make_client()
    with client.websocket_connect("/ws") as ws:
        conv = StrictConversation(ws)
        conv.hello, conv.first_frame = conv.open()
        conv.send({"type": "speed", "steps_per_second": 1e-12, "id": 0})
        assert conv.expect("error", id=0)["field"] == "steps_per_second"  # below 0.1 steps/s
        conv.send({"type": "speed", "steps_per_second": 0.1, "id": 1})
        conv.expect("speed")
        conv.send({"type": "play", "id": 2})
        conv.expect("status", status="running")
        conv.send({"type": "step", "id": 3})
        assert conv.expect("frame", timeout=5.0)["step"] == 1


def test_cli_deeply_nested_config_exits_2(tmp_path, capsys):
    """Was: server/cli.py `run` read the config with `json.loads`, which raises RecursionError
    (not a ValueError) on deep nesting; it was not caught, so the command died with a traceback
    instead of exit 2."""
    path = tmp_path / "deep.json"
    path.write_text('{"training": %s}' % nested_text(100_000, "list"))
    code = cli_main(["run", "--config", str(path), "--steps", "3", "--out", str(tmp_path / "o.json")])
    assert code == 2 and "backprop-lab run:" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["[]", "0", "false", '""', "null"])
def test_cli_non_object_config_exits_2(tmp_path, capsys, content):
    """Was: engine/trainer.py `Trainer.__init__` did `validate_config(config or {})`, so a config
    that is falsy but not an object (`[]`, `0`, `false`, `""`, `null`) silently meant the
    defaults, while `[1]` or `1` was refused ("a config must be a JSON object")."""
    path = tmp_path / "config.json"
    path.write_text(content)
    code = cli_main(["run", "--config", str(path), "--steps", "3", "--out", str(tmp_path / "o.json")])
    assert code == 2 and "JSON object" in capsys.readouterr().err
