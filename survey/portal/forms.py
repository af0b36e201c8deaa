"""Forms of the CLB portal: the answer to a round's results (a reaction and its action
rows), its confirmation, and the states of a submitted answer's actions.

The action rows are subforms (no CSRF of their own: the page's form has it) that clean
their text by the same rule as every CleanForm (cleanforms.py)."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)

from instrument.domain import ActionState

from ..cleanforms import CleanForm
from ..services.follow_up import MAX_ACTIONS, STATE_NAMES, ActionInput, parse_due
from ..translations import lazy_gettext as _l

EMPTY_ROWS = 3          # new rows under the stored ones; saving gives three new ones again


def _state_choices():
    return [(state.value, STATE_NAMES[state]) for state in ActionState]


class ActionRow(Form):
    class Meta:
        bind_field = CleanForm.Meta.bind_field

    action_id = HiddenField()
    statement = SelectField(_l("Bij stelling"), choices=[], validate_choice=False)
    text = TextAreaField(_l("Wat zal uw CLB doen?"))
    due = StringField(_l("Tegen wanneer"))
    state = SelectField(_l("Stand"), choices=_state_choices, validate_choice=False,
                        default=ActionState.PLANNED.value)
    remove = BooleanField(_l("Deze actie verwijderen"))


class ReactionForm(CleanForm):
    revision = HiddenField()
    text = TextAreaField(_l("Uw reactie op de resultaten"))
    actions = FieldList(FormField(ActionRow), max_entries=MAX_ACTIONS + EMPTY_ROWS)


class SubmitForm(CleanForm):
    """The confirmation: the revision of the draft the page showed."""

    revision = HiddenField()


class StatesForm(CleanForm):
    """A submitted answer's action states: the fields are `state-<id>` and `was-<id>`,
    read by action_states() (the ids are the CLB's own actions, checked by the service)."""


def revision_of(form) -> int:
    try:
        return int(form.revision.data or 0)
    except ValueError:
        return -1              # matches no stored revision: a conflict, nothing written


def reaction_form(reaction, statements: list[tuple[int, str]], attention: list[int],
                  formdata=None) -> ReactionForm:
    """The draft's form: from what was posted (formdata), or from the stored reaction with
    a row for each attention point that has no action yet and a few empty rows."""
    form = ReactionForm(formdata=formdata) if formdata is not None else ReactionForm(
        formdata=None, data={"revision": str(reaction.revision if reaction else 0),
                             "text": reaction.text if reaction else ""})
    if formdata is None:
        actions = list(reaction.actions) if reaction else []
        for action in actions:
            form.actions.append_entry({
                "action_id": str(action.id), "text": action.text, "state": action.state,
                "statement": "" if action.statement is None else str(action.statement),
                "due": action.due_on.isoformat() if action.due_on else ""})
        answered = {action.statement for action in actions}
        for number in attention:
            if number not in answered:
                form.actions.append_entry({"statement": str(number)})
        for _ in range(EMPTY_ROWS):
            form.actions.append_entry()
    choices = [("", _l("geen bepaalde stelling (algemeen)"))] + [
        (str(number), title) for number, title in statements]
    for entry in form.actions:
        entry.form.statement.choices = choices
    return form


def action_inputs(form: ReactionForm) -> list[ActionInput]:
    out = []
    for row, entry in enumerate(form.actions):
        sub = entry.form
        try:
            action_id = int(sub.action_id.data) if sub.action_id.data else None
        except ValueError:
            action_id = None
        out.append(ActionInput(row, action_id, sub.statement.data or "", sub.text.data or "",
                               sub.due.data or "", sub.state.data or "",
                               bool(sub.remove.data)))
    return out


def action_states(formdata) -> dict[int, tuple[str, str]]:
    """action id -> (state the page showed, state chosen), from the posted fields."""
    out = {}
    for name, chosen in formdata.items():
        if name.startswith("state-") and name[6:].isdigit():
            action_id = int(name[6:])
            out[action_id] = (formdata.get(f"was-{action_id}", ""), chosen)
    return out


def typed_answer(form: ReactionForm) -> dict | None:
    """What a posted draft form holds, to show read-only: {"text", "actions": [(text, due,
    state)]} with the rows that hold anything (none marked to be removed); None when
    nothing was typed."""
    actions = []
    for entry in form.actions:
        row = entry.form
        text, due = row.text.data or "", row.due.data or ""
        if row.remove.data or not (text.strip() or due.strip()):
            continue
        try:
            parsed = parse_due(due)
            due = parsed.strftime("%d-%m-%Y") if parsed else ""
        except ValueError:
            pass                        # shown as typed
        actions.append((text, due, row.state.data or ""))
    text = form.text.data or ""
    if not (text.strip() or actions):
        return None
    return {"text": text, "actions": actions}


def show_problems(form: ReactionForm, problems) -> None:
    """Put the service's messages beside the fields they are about."""
    if problems.reaction:
        form.text.errors = list(problems.reaction)
    for row, errors in problems.rows.items():
        if row < len(form.actions.entries):
            sub = form.actions.entries[row].form
            for name, message in errors.items():
                sub[name].errors = [message]
