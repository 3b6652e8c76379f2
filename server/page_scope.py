"""What the page can draw today: nets on 2-D points. A sequence set trains in the engine and the
CLI (`backprop-lab run`); the page refuses it, naming the field, until it draws recurrent nets."""
from engine.datasets import DATASETS


def page_refusal(dataset_name: str) -> str | None:
    """Why the page cannot show a run on this dataset, or None when it can."""
    spec = DATASETS.get(dataset_name)
    if spec is None or spec.input_kind == "points":
        return None
    return (f"{dataset_name!r} is a {spec.input_kind} set: the page does not draw recurrent nets yet; "
            "train it with `backprop-lab run`")
