"""Messages that change the run: configure (live or a rebuild), set_param (a live edit of one
parameter element) and reset."""
from typing import Literal

from pydantic import Field

from engine import ConfigError
from engine.param_edits import EditError

from ..replies import ConfigReply, Error, ParamReply
from .registry import ClientMessage, handles


class Configure(ClientMessage):
    type: Literal["configure"]
    config: dict = Field(description="a partial config, deep-merged into the one in force")


@handles(Configure)
def configure(session, m: Configure) -> None:
    """Merge a partial config: live hyperparameters keep the weights, anything else rebuilds."""
    trainer = session.trainer
    try:
        data_version = trainer.data_version
        result = trainer.reconfigure(m.config)
    except ConfigError as exc:
        session.outbox.send(Error, m.id, message=str(exc), field=exc.field or None)
        return
    if result.rebuilt:
        session.new_run()
    session.outbox.send(ConfigReply, m.id, config=trainer.requested.model_dump(), reset=result.rebuilt,
                        fields=result.fields, pending=trainer.mid_step and not result.rebuilt)
    if result.rebuilt or (trainer.data_version != data_version and not session.playing):
        session.send_frame(heavy=True, message_id=m.id)  # a new run, or points drawn on a paused one


class SetParam(ClientMessage):
    type: Literal["set_param"]
    layer: int = Field(description="index into the trace's layers")
    param: str = Field(max_length=16, description="the parameter: W, b, gamma, beta")
    index: list[int] = Field(max_length=4, description="the element, e.g. [row, column] of a W")
    value: float = Field(description="its new value (finite)")


@handles(SetParam)
def set_param(session, m: SetParam) -> None:
    """Set one parameter element (after the step in progress, if phases began one), as an event of
    the trace; a frame shows it."""
    trainer = session.trainer
    try:
        pending = trainer.set_param(m.layer, m.param, m.index, m.value)
    except EditError as exc:
        session.outbox.send(Error, m.id, message=f"set_param: {exc}", field=exc.field)
        return
    session.outbox.send(ParamReply, m.id, layer=m.layer, layer_name=trainer.layers[m.layer]["name"],
                        param=m.param, index=m.index, value=m.value, step=trainer.steps, pending=pending)
    if not pending:
        session.send_frame(heavy=True, message_id=m.id)


class Reset(ClientMessage):
    type: Literal["reset"]


@handles(Reset)
def reset(session, m: Reset) -> None:
    """Start the run anew at step 0 with the config in force."""
    session.trainer.reset()
    session.new_run()
    session.outbox.send(ConfigReply, m.id, config=session.trainer.config.model_dump(), reset=True,
                        fields=[], pending=False)
    session.send_frame(heavy=True, message_id=m.id)
