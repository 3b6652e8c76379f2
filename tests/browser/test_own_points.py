"""Issue 16, point 1, on the page: a person uploads a CSV file of their own points; a good file
becomes the custom set and trains, drawn on the output plane; a bad one is named by its line in a
toast and nothing changes; a file over the cap is refused before it is sent."""
import pytest

from labpage import REFUSED_BY_THE_SERVER, run_steps, state, wait_state

# 3 classes by quadrant and side, in a plane ten times the lab's: the page scales them by 1/12
ROWS = [(-55 + 10 * (k % 12), -50 + 9 * (k // 12), (k % 12 > 5) + (k // 12 > 5)) for k in range(144)]


def write(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def good_file(tmp_path):
    return write(tmp_path, "mine.csv", ["x1,x2,label"] + [f"{a},{b},{c}" for a, b, c in ROWS])


def toast_with(page, text: str) -> str:
    toast = page.locator("[data-testid=toast]", has_text=text)
    toast.wait_for(state="visible")
    return toast.inner_text()


def test_a_good_file_becomes_the_custom_set_and_trains(page, tmp_path):
    run = state(page, "s.run")
    page.set_input_files("#points-file", str(good_file(tmp_path)))
    wait_state(page, "s.run > arg && s.config.dataset.name === 'custom' && s.step === 0", run)
    factor = 5 / 55  # the largest |coordinate| lands on 5 of the plane's ±6
    dataset = state(page, "s.config.dataset")
    assert dataset["task"] == "classification" and dataset["n_classes"] == 3 and dataset["n_samples"] == 144
    assert dataset["points"] == [[round(a * factor, 6), round(b * factor, 6), c] for a, b, c in ROWS]
    assert state(page, "s.config.training.loss") == "cross_entropy"  # bce separates 2 classes
    assert toast_with(page, "mine.csv") == "mine.csv: 144 points, 3 classes, scaled by 0.0909 to fit the plane. A new run trains on them."
    assert page.get_attribute("[data-dataset=custom]", "aria-pressed") == "true"
    assert page.is_hidden("[data-field='dataset.noise']")  # the custom set has no noise to set

    run_steps(page, 30)
    drawn = state(page, "[...s.points.train.x].map((x, i) => [x, s.points.train.y[i], s.points.train.label[i]])")
    uploaded = {(round(a * factor, 3), round(b * factor, 3), c) for a, b, c in ROWS}
    assert len(drawn) == 72 and {(round(x, 3), round(y, 3), c) for x, y, c in drawn} <= uploaded
    assert "points=not-in-link" not in page.url  # 144 points fit in a link


@pytest.mark.parametrize("line, text, message", [
    (18, "1.5,abc,1", "'abc' is not a number"),
    (7, "1,2,3,4", "4 columns; a point has 3 (x1,x2,label or x1,x2,value)"),
    (5, "1,2,9", "class 9 is not one of 0..4"),
    (3, "nan,2,1", "'nan' is not a finite number"),
])
def test_a_bad_file_is_named_by_its_line_and_changes_nothing(page, page_log, tmp_path, line, text, message):
    page_log.allow(REFUSED_BY_THE_SERVER)
    run_steps(page, 3)
    before = state(page, "({run: s.run, step: s.step, name: s.config.dataset.name})")
    lines = ["x1,x2,label"] + [f"{a},{b},{c}" for a, b, c in ROWS]
    lines[line - 1] = text
    page.set_input_files("#points-file", str(write(tmp_path, "bad.csv", lines)))
    assert toast_with(page, "bad.csv") == f"bad.csv, line {line}: {message}. Nothing changed."
    assert state(page, "({run: s.run, step: s.step, name: s.config.dataset.name})") == before


def test_a_file_over_the_cap_is_refused_before_it_is_sent(page, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_bytes(b"1,2,0\n" * 400_000)  # 2.3 MB
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/api/points/csv" in r.url else None)
    page.set_input_files("#points-file", str(path))
    assert toast_with(page, "huge.csv") == "huge.csv is 2.3 MB; a points file is at most 2 MB. Nothing changed."
    assert requests == [] and state(page, "s.config.dataset.name") == "spiral"


def test_a_link_of_many_own_points_says_it_does_not_carry_them(page, tmp_path):
    rows = [f"{(k % 40) / 8 - 2.5},{(k // 40) / 8 - 2.5},{k % 2}" for k in range(1600)]
    page.set_input_files("#points-file", str(write(tmp_path, "many.csv", rows)))
    wait_state(page, "s.config.dataset.name === 'custom' && s.config.dataset.n_samples === 1600")
    page.wait_for_function("() => location.hash.includes('points=not-in-link')")
    assert "custom" not in page.url and "%22points%22" not in page.url


# ---- drawing ----------------------------------------------------------------------------------

def drag(page, start, end):
    """Press at plane point `start`, move to `end` and let go, as a person draws on the plane."""
    page.wait_for_function("() => window.backpropLab.charts.output.input !== null")  # drawn once: its plane is known
    box = page.locator("#chart-output").bounding_box()
    a, b = page.evaluate("""([s, e]) => { const a = window.backpropLab.charts.output.area();
        return [[a.X(s[0]), a.Y(s[1])], [a.X(e[0]), a.Y(e[1])]]; }""", [start, end])
    page.mouse.move(box["x"] + a[0], box["y"] + a[1])
    page.mouse.down()
    page.mouse.move(box["x"] + b[0], box["y"] + b[1], steps=10)
    page.mouse.up()


def test_drawing_adds_points_live_and_the_trace_keeps_each_stroke(page, tmp_path):
    from labpage import export_trace
    import json
    run_steps(page, 5)
    run = state(page, "s.run")
    spiral = state(page, "s.points.train.x.length + s.points.test.x.length")
    page.check("#draw-points")
    drag(page, [3.0, 3.0], [4.5, 3.0])  # class 0, the first in the menu
    wait_state(page, "s.config.dataset.name === 'custom' && s.run === arg + 1", run)  # a generated set becomes yours: a new run
    points = state(page, "s.config.dataset.points")
    drawn = points[spiral:]
    assert len(points) > spiral and len(drawn) >= 4  # a point every 0.35 of the plane along the stroke
    assert all(c == 0 and 2.9 <= x <= 4.6 and abs(y - 3.0) < 0.1 for x, y, c in drawn), drawn
    assert state(page, "s.points.train.x.length + s.points.test.x.length") == len(points)

    steps = run_steps(page, 7)
    page.select_option("#draw-class", "1")
    drag(page, [-4.0, -1.0], [-4.0, -3.0])
    wait_state(page, "s.config.dataset.points.length > arg", len(points))
    assert state(page, "s.run") == run + 1 and state(page, "s.step") == steps  # live: the same run goes on
    more = state(page, "s.config.dataset.points")[len(points):]
    assert all(c == 1 and abs(x + 4.0) < 0.1 and -3.1 <= y <= -0.9 for x, y, c in more), more
    page.wait_for_function("n => { const p = window.backpropLab.getState().points; return p.train.x.length + p.test.x.length === n; }",
                           arg=len(points) + len(more))  # the plane shows them

    box = page.locator("#chart-output").bounding_box()
    xy = page.evaluate("() => { const a = window.backpropLab.charts.output.area(); return [a.X(-4.0), a.Y(-2.0)]; }")
    page.keyboard.down("Shift")
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    page.keyboard.up("Shift")
    wait_state(page, "s.config.dataset.points.length < arg", len(points) + len(more))
    left = state(page, "s.config.dataset.points")
    assert not any(abs(x + 4.0) < 0.3 and abs(y + 2.0) < 0.3 for x, y, _ in left)  # the points near (−4, −2) are gone

    run_steps(page, 2)
    path, _ = export_trace(page, tmp_path)
    events = json.loads(path.read_text())["events"]
    assert [e["step"] for e in events] == [steps, steps]
    assert events[0]["config"]["dataset"]["points"] == points + more and events[1]["config"]["dataset"]["points"] == left
