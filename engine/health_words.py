"""A health badge's own words, as a student reads them: a healthy run says what is healthy
("gradients flow"), a warning says what is wrong, where, and what to try, and a badge that cannot
tell yet says why; never the bare name of the condition, which reads as its presence."""

# topic: what the badge watches; healthy: its words when all is well; problem, where: what is wrong
# and the word before the layers concerned; hint: what to try first (the tooltip lists more)
WORDS = {
    "vanishing": {"topic": "gradient flow", "healthy": "gradients flow",
                  "problem": "gradients vanish", "where": "on the way to", "hint": "try ReLU with He init"},
    "exploding": {"topic": "gradient growth", "healthy": "gradients steady",
                  "problem": "gradients explode", "where": "in", "hint": "try a lower learning rate or clipping"},
    "saturated": {"topic": "saturation", "healthy": "no layer saturated",
                  "problem": "saturated units", "where": "in", "hint": "try a smaller init gain"},
    "dead": {"topic": "dead ReLUs", "healthy": "ReLUs alive",
             "problem": "dead ReLUs", "where": "in", "hint": "try a lower learning rate"},
    "update_ratio": {"topic": "update size", "healthy": "update sizes healthy",
                     "problem": "update sizes off", "where": "in", "hint": "bring ‖ΔW‖/‖W‖ near 1e-3"},
    "diverged": {"topic": "finite values", "healthy": "all values finite",
                 "problem": "diverged", "where": "in", "hint": "lower the learning rate or turn on clipping"},
    "vanishing_through_time": {"topic": "gradient through time", "healthy": "gradients reach the first time step",
                               "problem": "gradients vanish back through time", "where": "in",
                               "hint": "try an LSTM or an identity recurrent init"},
    "exploding_through_time": {"topic": "gradient through time", "healthy": "gradients steady through time",
                               "problem": "gradients explode back through time", "where": "in",
                               "hint": "try gradient clipping"},
}
# the update/weight badge says which way its layers are off, when they are all off the same way
UPDATES = {"low": {"problem": "updates too small", "hint": "raise the learning rate"},
           "high": {"problem": "updates too large", "hint": "lower the learning rate"}}


def headline(rule: str, status: str, layers: list[str], reason: str = "no steps yet", direction: str = "") -> str:
    """The badge's text for `status`: the healthy words; the problem, what to try and then the
    layers it is in (last, as a long list is what a narrow bar cuts short; `direction` "low" or
    "high": which way the update/weight ratio is off); or the topic and the `reason` it is unknown."""
    words = WORDS[rule]
    if status == "ok":
        return words["healthy"]
    if status == "unknown":
        return f"{words['topic']}: {reason}"
    words = {**words, **UPDATES.get(direction, {})}
    where = f" ({words['where']} {', '.join(layers)})" if layers else ""
    return f"{words['problem']}: {words['hint']}{where}"
