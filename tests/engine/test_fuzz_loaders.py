"""Property-based fuzzing of the engine's two loaders: `validate_config` and `parse_trace`.

Whatever they are given, they either return (a Config, a trace) or raise their own error
(`ConfigError`, `TraceError`) that names where the problem is; never any other exception.

The deterministic tests at the end pin the bugs this fuzzing found (fixed in 3029b17): each
failed before its fix.
"""
import json
import re

import orjson
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from engine import Config, ConfigError, TraceError, Trainer, catalog, encode, parse_trace, validate_config
from engine.config import HiddenLayer, merge
from engine.config_errors import field_path

# JSON nesting depths: around orjson's limits (it writes up to 255 levels, reads up to 1024) and
# Python's recursion limit (~1000), which a repr() of the value in an error message would hit
DEPTHS = [1, 2, 30, 254, 255, 256, 300, 600, 1000, 1020]


def fuzz(examples: int) -> settings:
    """Hypothesis settings sized for CI: no per-example deadline, a fixed number of examples."""
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


SCHEMA = catalog()["schema"]


# ---- strategies: JSON values, configs drawn from the catalog's schema -------------------------

def _resolve(node: dict) -> dict:
    """A schema node with its $ref followed, and an optional one (anyOf [..., null]) as its value."""
    while "$ref" in node or "anyOf" in node:
        if "anyOf" in node:
            node = next(n for n in node["anyOf"] if n.get("type") != "null")
        else:
            node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


HOSTILE_NUMBERS = [0, -1, 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, 10**30, -10**30,
                   1e308, -1e308, 5e-324, -0.0, 0.5, 1e-300]
json_leaves = (st.none() | st.booleans() | st.integers(-2**70, 2**70)
               | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
               | st.sampled_from(HOSTILE_NUMBERS))
json_values = st.recursive(json_leaves, lambda inner: st.lists(inner, max_size=5)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=5), max_leaves=30)


def value_of(node: dict) -> st.SearchStrategy:
    """Valid values for one schema node (pure validation: no cost caps)."""
    node = _resolve(node)
    if "anyOf" in node:  # an optional field: any of its forms
        return st.one_of(*(value_of(form) for form in node["anyOf"]))
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(node.get("minimum", -2**31), node.get("maximum", 2**31))
    if kind == "number":
        lo = node.get("minimum", node.get("exclusiveMinimum"))
        hi = node.get("maximum", node.get("exclusiveMaximum"))
        return st.floats(lo, hi, exclude_min="exclusiveMinimum" in node,
                         exclude_max="exclusiveMaximum" in node, allow_nan=False)
    if kind == "array":
        items = _resolve(node["items"])
        return st.lists(value_of(items), min_size=node.get("minItems", 0),
                        max_size=min(node.get("maxItems", 6), 6), unique="enum" in items)
    if kind == "object":
        return partial_of(node)
    raise AssertionError(f"schema node without a strategy: {node}")


def partial_of(node: dict) -> st.SearchStrategy:
    """Objects with any subset of the node's properties, each valid on its own."""
    props = _resolve(node)["properties"]
    return st.fixed_dictionaries({}, optional={k: value_of(v) for k, v in props.items()})


partial_configs = partial_of(SCHEMA)
BAD_VALUES = st.sampled_from([None, True, False, "", "x", [], {}, [[]], {"a": 1}, *HOSTILE_NUMBERS,
                              -2**70, 2**70, "tanh", [None], [{"units": -1}]])


def _paths(value, prefix=()):
    """Every path (tuple of keys/indices) in a JSON value, the root included."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def nested(depth: int, kind: str = "list"):
    """A value nested `depth` levels deep ([[...]] or {"a": {...}}), built without recursion."""
    value = [] if kind == "list" else {}
    for _ in range(depth - 1):
        value = [value] if kind == "list" else {"a": value}
    return value


def nested_text(depth: int, kind: str = "list") -> str:
    return "[" * depth + "]" * depth if kind == "list" else '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


deep_values = st.builds(nested, st.sampled_from(DEPTHS), st.sampled_from(["list", "dict"]))


def dumps(document) -> bytes:
    """JSON bytes, quickly (orjson) unless the document holds an integer beyond 64 bits."""
    try:
        return orjson.dumps(document)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(document).encode()


def _get(value, path):
    for p in path:
        value = value[p]
    return value


@st.composite
def path_in(draw, document):
    """A random path into a JSON value (shallow parts likelier than deep ones)."""
    path, node = (), document
    while isinstance(node, (dict, list)) and node and draw(st.integers(0, 3)):
        key = (draw(st.sampled_from(sorted(node))) if isinstance(node, dict)
               else draw(st.integers(0, len(node) - 1)))
        path, node = path + (key,), node[key]
    return path


@st.composite
def mutated(draw, documents):
    """A document with one part replaced, deleted, added to or wrapped in a list."""
    doc = json.loads(dumps(draw(documents)))
    path = draw(path_in(doc))
    how = draw(st.sampled_from(["replace", "replace", "delete", "add_key", "wrap", "json", "deep"]))
    note(f"mutation: {how} at {list(path)}")
    if not path:
        return draw(BAD_VALUES | json_values | deep_values) if how in ("replace", "json", "deep") else doc
    parent, key = _get(doc, path[:-1]), path[-1]
    if how == "replace":
        parent[key] = draw(BAD_VALUES)
    elif how == "deep":
        parent[key] = draw(deep_values)
    elif how == "json":
        parent[key] = draw(json_values)
    elif how == "delete":
        del parent[key]
    elif how == "add_key" and isinstance(parent[key], dict):
        parent[key][draw(st.text(min_size=1, max_size=8))] = draw(json_leaves)
    elif how == "wrap":
        parent[key] = [parent[key]]
    return doc


def full_config() -> dict:
    return json.loads(json.dumps(Config().model_dump()))


DEFAULT_LAYER = HiddenLayer().model_dump()


# ---- 2. validate_config ------------------------------------------------------------------------

def _schema_has(field: str) -> bool:
    """Whether a dotted config path (list items by index) exists in the schema."""
    node = SCHEMA
    for part in field.split("."):
        node = _resolve(node)
        if node.get("type") == "array" and part.isdigit():
            node = node["items"]
        elif part in node.get("properties", {}):
            node = node["properties"][part]
        else:
            return False
    return True


def _unknown_keys(document, node=SCHEMA, prefix=()) -> set:
    """Paths of the document's keys that the schema does not know, as ConfigError writes them."""
    node = _resolve(node)
    out = set()
    if isinstance(document, dict) and "properties" in node:
        for key, value in document.items():
            if key in node["properties"]:
                out |= _unknown_keys(value, node["properties"][key], prefix + (key,))
            else:
                out.add(field_path(prefix + (key,)))
    elif isinstance(document, list) and node.get("type") == "array":
        for i, value in enumerate(document):
            out |= _unknown_keys(value, node["items"], prefix + (i,))
    return out


def check_config_outcome(document) -> Config | None:
    """validate_config returns a Config or raises a ConfigError naming a schema field."""
    try:
        config = validate_config(document)
    except ConfigError as exc:
        assert isinstance(exc.field, str) and isinstance(exc.message, str) and exc.message
        assert str(exc)
        if not isinstance(document, dict):
            assert exc.field == "", exc.field
        else:
            if exc.message == "unknown field":  # the path of a key the document has
                assert exc.field in _unknown_keys(document), str(exc)
            else:
                assert exc.field and _schema_has(exc.field), f"{document!r}: {exc}"
        return None
    # anything else propagates and fails the test
    assert isinstance(config, Config)
    assert validate_config(config.model_dump()) == config  # a normalized config is a fixed point
    return config


@fuzz(300)
@given(json_values)
def test_validate_config_random_json(document):
    check_config_outcome(document)


@fuzz(300)
@given(partial_configs)
def test_validate_config_schema_partials(document):
    """Every field valid on its own: only a combination rule may refuse, naming its field."""
    config = check_config_outcome(document)
    if config is not None:  # the normalized config is the defaults with the document merged in
        expected = merge(full_config(), document)
        expected["network"]["hidden"] = [{k: v for k, v in {**DEFAULT_LAYER, **h, **tanh_unless_named(h)}.items()
                                          if (k, v) != ("kind", "dense")}  # dense is implied
                                         for h in expected["network"]["hidden"]]
        # a points set (the default) has no seq_len and its net no recurrent fields: a null or a
        # value for them means "not named" and is not dumped (a recurrent kind itself is refused)
        if expected["dataset"].get("seq_len", 0) is None:
            del expected["dataset"]["seq_len"]
        for key in ("points", "task"):  # the custom set's: a generated set drops them
            expected["dataset"].pop(key, None)
        for key in ("recurrent_init", "forget_bias"):
            expected["network"].pop(key, None)
        assert config.model_dump() == expected


def tanh_unless_named(layer: dict) -> dict:
    """A dense layer's activation null means not named: tanh."""
    return {"activation": "tanh"} if layer.get("activation", "tanh") is None else {}


@fuzz(400)
@given(mutated(partial_configs) | mutated(st.just(full_config())))
def test_validate_config_mutations(document):
    check_config_outcome(document)


@pytest.mark.parametrize("document, field", [
    ({"seed": 10**30}, "seed"), ({"seed": -1}, "seed"), ({"seed": 1e308}, "seed"),
    ({"training": {"learning_rate": 1e308}}, "training.learning_rate"),
    ({"training": {"learning_rate": 10**400}}, "training.learning_rate"),
    ({"training": {"batch_size": True}}, "training.batch_size"),
    ({"network": {"hidden": [{"units": 4}] * 33}}, "network.hidden"),
    ({"network": {"hidden": [{"units": 4}, {"units": 2**64}]}}, "network.hidden.1.units"),
    ({"network": {"hidden": [[]]}}, "network.hidden.0"),
    ({"dataset": {"features": ["x1", "x1"]}}, "dataset.features"),
    ({"dataset": {"features": ["x1", "nope"]}}, "dataset.features.1"),
    ({"dataset": []}, "dataset"), ({"surprise": 1}, "surprise"),
    ({"training": {"learning_rate": float("nan")}}, "training.learning_rate"),
    ({"training": {"learning_rate": float("inf")}}, "training.learning_rate"),
])
def test_validate_config_names_the_field(document, field):
    with pytest.raises(ConfigError) as caught:
        validate_config(document)
    assert caught.value.field == field and caught.value.message


# ---- 3. parse_trace -----------------------------------------------------------------------------

def _trace(config: dict, steps: int, live=None) -> bytes:
    trainer = Trainer(config, snapshot_every=5)
    trainer.run(steps)
    if live:
        trainer.reconfigure(live)
        trainer.run(3)
    return encode(trainer.export_trace())


TRACE = _trace({}, 20)  # Trainer({}).run(20), with snapshots every 5 steps
TRACE_BN = _trace({"network": {"batch_norm": True, "hidden": [{"units": 3}]},
                   "dataset": {"n_samples": 60}}, 7, live={"training": {"learning_rate": 0.1}})
TRACE_SMALL = _trace({"dataset": {"n_samples": 24, "name": "circle"}, "training": {"batch_size": 4}}, 6)
TRACES = [TRACE, TRACE_BN]
SMALL_TRACES = [TRACE_SMALL, TRACE_BN]  # mutated often: small enough to copy and dump quickly


def test_real_traces_load():
    for raw in TRACES:
        trace = parse_trace(raw)
        assert trace["steps"] and any("snapshot" in s for s in trace["steps"])
    assert parse_trace(TRACE_BN)["events"]


_PART = re.compile(r'([^.\[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')  # name, [index], ["quoted key"]


def _resolves(value, where, parent_ok: bool = True) -> bool:
    """Whether a loader path (`steps[3].snapshot.params[0].W`, `config.network.hidden.0.units`)
    names a part of the document, or (`parent_ok`) a key of an object it names. Keys may hold
    dots themselves, so dotted names are tried joined as well as apart."""
    parts = ([int(i) if i else json.loads(q) if q else n for n, i, q in _PART.findall(where)]
             if isinstance(where, str) else where)
    if not parts:
        return True
    if isinstance(value, list):
        head = parts[0]
        index = head if isinstance(head, int) else int(head) if head.isdigit() else None
        return index is not None and index < len(value) and _resolves(value[index], parts[1:], parent_ok)
    if not isinstance(value, dict):
        return False
    names = []
    for k, part in enumerate(parts):
        if isinstance(part, int):
            break
        names.append(part)
        key = ".".join(names)
        if key in value and _resolves(value[key], parts[k + 1:], parent_ok):
            return True
    return parent_ok and len(parts) == 1 and isinstance(parts[0], str)  # an absent key here


def check_trace_outcome(raw: bytes):
    """parse_trace returns the trace or raises a TraceError that says where."""
    try:
        trace = parse_trace(raw)
    except TraceError as exc:
        assert isinstance(exc.where, str) and exc.message and str(exc)
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError:
            assert exc.where == "", str(exc)  # not JSON: the whole file is at fault
            return None
        assert _resolves(document, exc.where), f"{str(exc)!r} names no part of the document"
        return None
    assert isinstance(trace, dict) and trace["format"] == "backprop-lab-trace"
    return trace


@fuzz(200)
@given(st.binary(max_size=300) | st.sampled_from(TRACES).flatmap(
    lambda raw: st.binary(max_size=40).map(lambda b: raw[:100] + b + raw[100:])))
def test_parse_trace_random_bytes(raw):
    check_trace_outcome(raw)


@fuzz(200)
@given(st.sampled_from(TRACES).flatmap(lambda raw: st.tuples(st.just(raw),
                                                             st.integers(0, len(raw) - 1))))
def test_parse_trace_truncated(case):
    raw, cut = case
    with pytest.raises(TraceError) as caught:
        parse_trace(raw[:cut])
    assert caught.value.where == "" and "not valid JSON" in caught.value.message


@pytest.mark.parametrize("version", [0, 2, -1, "1", None, 10**30, 1e308, [1], {"v": 1}])
def test_parse_trace_wrong_versions(version):
    document = orjson.loads(TRACE)
    document["version"] = version
    with pytest.raises(TraceError) as caught:
        parse_trace(json.dumps(document).encode())
    assert caught.value.where == "version"
    del document["version"]
    with pytest.raises(TraceError):
        parse_trace(json.dumps(document).encode())


@st.composite
def reshaped(draw, array):
    """A numeric array given the wrong shape or hostile values."""
    how = draw(st.sampled_from(["drop_row", "add_row", "drop_col", "add_col", "wrap", "flatten",
                                "transpose", "ragged", "values", "hostile", "hostile", "empty"]))
    note(f"reshape: {how}")
    a = json.loads(dumps(array))
    nested = bool(a) and isinstance(a[0], list)
    if how == "drop_row" and a:
        a.pop()
    elif how == "add_row":
        a.append(a[0] if a else 0.0)
    elif how == "drop_col" and nested:
        a = [r[:-1] for r in a]
    elif how == "add_col" and nested:
        a = [r + [0.0] for r in a]
    elif how == "wrap":
        a = [a]
    elif how == "flatten" and nested:
        a = [x for r in a for x in r]
    elif how == "transpose" and nested:
        a = [list(c) for c in zip(*a)]
    elif how == "ragged" and nested and a[0]:
        a[0] = a[0][:-1]
    elif how == "values":
        value = draw(BAD_VALUES)
        if nested and a[0]:
            a[0][0] = value
        elif a:
            a[0] = value
    elif how == "hostile" and a:  # a huge, tiny or out-of-range number anywhere
        row = draw(st.integers(0, len(a) - 1))
        target, index = (a[row], draw(st.integers(0, len(a[row]) - 1))) if nested and a[row] else (a, row)
        target[index] = draw(st.sampled_from(HOSTILE_NUMBERS))
    elif how == "empty":
        a = [] if draw(st.booleans()) else [[]]
    return a


def _array_paths(raw: bytes, cache={}) -> list[list[tuple]]:
    """Paths to the trace's numeric arrays the loader checks (data, params, grads, batches),
    grouped by kind (`steps[*].snapshot.params[*].W`, ...) so that every kind is drawn alike."""
    if raw not in cache:
        document, groups = orjson.loads(raw), {}
        for p in _paths(document):
            value = _get(document, p)
            if (p and isinstance(value, list) and value and not isinstance(value[0], (dict, str))
                    and not isinstance(p[-1], int) and "detail" not in p):  # whole arrays, not rows
                groups.setdefault(tuple(k for k in p if isinstance(k, str)), []).append(p)
        cache[raw] = list(groups.values())
    return cache[raw]


class Case:
    """A mutated trace (bytes, and the document when it is JSON), with a short repr."""

    def __init__(self, raw: bytes, document, what: str):
        self.raw, self.document, self.what = raw, document, what

    def __repr__(self):
        return f"<trace mutated by {self.what}: {len(self.raw)} bytes>"


@st.composite
def mutated_traces(draw):
    raw = draw(st.sampled_from(SMALL_TRACES))
    document = orjson.loads(raw)
    how = draw(st.sampled_from(["part", "part", "array", "array", "steps", "nonfinite", "deep"]))
    if how == "part":  # any part replaced, deleted, wrapped, added to
        document = draw(mutated(st.just(document)))
    elif how == "deep":  # a part replaced by [[[...]]] or {"a": {...}} up to orjson's 1024 levels
        path = draw(path_in(document))
        depth = draw(st.sampled_from(DEPTHS + [1023, 1024, 1025]))
        kind = draw(st.sampled_from(["list", "dict"]))
        note(f"{kind} nested {depth} deep at {list(path)}")
        if not path:
            return Case(nested_text(depth, kind).encode(), "deep", f"top level {depth} deep")
        _get(document, path[:-1])[path[-1]] = "\x00deep\x00"
        raw = dumps(document)
        assert raw.count(b'"\\u0000deep\\u0000"') == 1
        raw = raw.replace(b'"\\u0000deep\\u0000"', nested_text(depth, kind).encode())
        return Case(raw, "deep", f"{kind} nested {depth} deep at {list(path)}")
    elif how == "array":
        path = draw(st.sampled_from(draw(st.sampled_from(_array_paths(raw)))))
        note(f"reshaped array at {list(path)}")
        parent = _get(document, path[:-1])
        parent[path[-1]] = draw(reshaped(_get(document, path)))
    elif how == "steps":  # hostile step lists: reordered, repeated, huge step numbers
        steps = document["steps"]
        op = draw(st.sampled_from(["reverse", "repeat", "huge", "negative", "many"]))
        how = f"steps: {op}"
        if op == "reverse":
            steps.reverse()
        elif op == "repeat":
            steps.append(steps[-1])
        elif op == "huge":
            steps[-1]["step"] = draw(st.sampled_from([2**31, 2**63 - 1, 2**64 - 1, 10**30, 1e308]))
        elif op == "negative":
            steps[0]["step"] = -1
        else:
            document["steps"] = steps * draw(st.integers(2, 50))
    else:  # a NaN or Infinity literal in place of a number
        text = raw.decode()
        numbers = [m.span() for m in re.finditer(r"(?<=[\[,:])-?\d+(\.\d+)?(e[-+]?\d+)?", text)]
        start, end = draw(st.sampled_from(numbers))
        literal = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "nan", "inf"]))
        return Case((text[:start] + literal + text[end:]).encode(), None, f"{literal} at byte {start}")
    return Case(dumps(document), document, how)


@fuzz(300)
@given(mutated_traces())
def test_parse_trace_mutations(case):
    trace = check_trace_outcome(case.raw)
    if case.document is None:  # NaN/Infinity literals are not JSON
        assert trace is None


def test_parse_trace_hostile_sizes():
    """Claims of huge sizes are refused by shape, without building anything huge."""
    document = orjson.loads(TRACE)
    document["steps"][4]["snapshot"]["params"][0]["W"] = [[0.0] * 5000] * 2
    with pytest.raises(TraceError) as caught:
        parse_trace(json.dumps(document).encode())
    assert caught.value.where == "steps[4].snapshot.params[0].W"
    document = orjson.loads(TRACE)
    document["config"]["network"]["hidden"] = [{"units": 10**9}]
    with pytest.raises(TraceError) as caught:
        parse_trace(json.dumps(document).encode())
    assert caught.value.where == "config.network.hidden.0.units"


# ---- bugs the fuzzing found (fixed in 3029b17; each of these failed before) ---------------------

@pytest.mark.parametrize("value", [2**64 - 1, 1e30])
def test_trace_batch_out_of_int64_range_is_a_trace_error(value):
    """Was: engine/trace_loader.py `_array` caught only TypeError and ValueError around
    `np.array(value, dtype=np.int64)`; a step's `batch` holding a number beyond int64 (orjson reads
    18446744073709551615 as an int and 1e30 as a float) raised OverflowError instead of a
    TraceError, and `backprop-lab validate` printed a traceback."""
    document = orjson.loads(TRACE)
    document["steps"][4]["batch"] = [0, value]
    with pytest.raises(TraceError) as caught:
        parse_trace(json.dumps(document).encode())
    assert caught.value.where == "steps[4].batch"


def test_trace_version_true_is_refused():
    """Was: engine/trace_loader.py compared `trace.get("version") != VERSION`, and `True == 1` in
    Python: a trace whose version was `true` was read as version 1."""
    document = orjson.loads(TRACE)
    document["version"] = True
    with pytest.raises(TraceError) as caught:
        parse_trace(json.dumps(document).encode())
    assert caught.value.where == "version"


def test_deep_nesting_in_config_error_message():
    """Was: engine/config.py `_message` wrote the rejected input with `{got!r}` (literal and bound
    errors); repr() of a value nested ~1000 levels deep (JSON that orjson reads: it allows 1024)
    raised RecursionError instead of a ConfigError. Over /ws that ended the session with "internal
    error" (test_deep_config_value_keeps_the_session in tests/server/test_fuzz.py)."""
    with pytest.raises(ConfigError) as caught:
        validate_config({"dataset": {"name": nested(1000)}})
    assert caught.value.field == "dataset.name"


@pytest.mark.parametrize("where", ["format", "version", "config.dataset.name"])
def test_deep_nesting_in_trace_error_message(where):
    """Was: engine/trace_loader.py wrote `format` and `version` with `!r` into its message (and the
    config's errors come from engine/config.py `_message`): a value nested 1000 levels deep
    raised RecursionError, not TraceError."""
    document = orjson.loads(TRACE)
    parent = _get(document, tuple(where.split(".")[:-1]))
    parent[where.split(".")[-1]] = "\x00deep\x00"
    raw = dumps(document).replace(b'"\\u0000deep\\u0000"', nested_text(1000).encode())
    with pytest.raises(TraceError) as caught:
        parse_trace(raw)
    assert caught.value.where == where


@pytest.mark.parametrize("key", ["0[0", "a.b", ""])
def test_a_config_key_that_is_no_plain_name_is_quoted_in_the_trace_path(key):
    """Was: ConfigError joined its location with dots, so the trace loader's path for an unknown
    config key "0[0" read `config.0[0`, which names no part of the document (hypothesis found
    it in tests/engine/test_fuzz_loaders.py::test_parse_trace_mutations)."""
    document = orjson.loads(TRACE)
    document["config"][key] = None
    with pytest.raises(TraceError) as caught:
        parse_trace(json.dumps(document).encode())
    assert caught.value.where == f"config[{json.dumps(key)}]" and caught.value.message == "unknown field"
    assert _resolves(document, caught.value.where, parent_ok=False)
