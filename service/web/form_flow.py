"""The one form path of the pages: load a form, call a use case, answer its refusals as pages.

Every page that writes goes through `attempt`: it calls the use case and maps what the use case
refuses (a stale edit, invalid content, a state that does not allow it) to a response: the form
rendered again with its error summary, the stale-edit page, or a message on the page it came from.
No page catches a domain error itself, and the rules stay in the use cases: a page only decides
how a refusal looks. Refusals that are not about the form (not found, forbidden, unavailable) go
to the app's one error mapping.

`attempt` returns the use case's result, or raises `Respond` carrying the response; the app
answers a `Respond` with its response, so a view reads top to bottom with no branches for errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Response, flash, redirect, render_template, request

from service.domain.errors import Conflict, StaleWrite, ValidationFailed
from service.views.labels import Labeller
from service.web import forms

T = TypeVar("T")
# (errors, message, status) → the form rendered again
Rerender = Callable[[forms.Errors, str, int], Any]


class Respond(Exception):
    """A finished response for a refusal; the app answers with it."""

    def __init__(self, response: Any) -> None:
        super().__init__("respond")
        self.response = response


@dataclass(frozen=True)
class OnRefusal:
    """How one page answers refusals. Unset parts fall back to a message on `back`."""

    back: str = "/"
    form: Rerender | None = None
    stale: Callable[[StaleWrite], Any] | None = None
    rejected: Callable[[ValidationFailed], Any] | None = None  # pages that show the error itself (an import)
    prefix: str = "Not saved"
    worded: bool = True  # False for an autosave's JSON: the page script says "Not saved: …" itself


def attempt(call: Callable[[], T], on: OnRefusal) -> T:
    """Run a use case; on a refusal raise `Respond` with the page `on` describes."""
    try:
        return call()
    except StaleWrite as exc:
        if on.stale is not None:
            raise Respond(on.stale(exc)) from exc
        raise Respond(_back(on, exc.message)) from exc
    except ValidationFailed as exc:
        if on.rejected is not None:
            raise Respond(on.rejected(exc)) from exc
        errors = forms.flatten_errors(exc.errors)
        if on.form is not None:
            raise Respond(on.form(errors, exc.message, 422)) from exc
        details = "; ".join(m for msgs in errors.values() for m in msgs)
        raise Respond(_back(on, f"{exc.message} {details}".strip())) from exc
    except Conflict as exc:
        if on.form is not None:
            text = f"{exc.message.rstrip('.')}."
            raise Respond(on.form({}, f"{on.prefix}: {text}" if on.worded else text, 409)) from exc
        raise Respond(_back(on, exc.message)) from exc


def form_again(back: str, render: Callable[[forms.Errors, int], Any]) -> OnRefusal:
    """How a `form_with_message` page answers refusals: `render(errors, status)` again with the refusal's message
    under the key "" of its errors, or a message on `back`."""
    return OnRefusal(back=back, form=lambda errors, message, status: render({**errors, "": [message]}, status))


def done(call: Callable[[], T], on: OnRefusal, said: Callable[[T], str], then: str | Callable[[T], str]) -> Response:
    """A form's POST-redirect-GET: `call()`; refused, answered as `on` says (`attempt`); else `said(result)` flashed
    and a redirect to `then` (a URL, or one made from the result)."""
    result = attempt(call, on)
    flash(said(result), "success")
    return redirect(then(result) if callable(then) else then)


def saved_from(
    page: str,
    render: Callable[[forms.Errors, int], Any],
    save: Callable[[], T],
    said: Callable[[T], str],
    then: Callable[[T], str] | None = None,
) -> Response:
    """`done` for a `form_with_message` page's form: refused, the page rendered again (`form_again`); saved, back to
    `then(saved)` or to the page itself."""
    return done(save, form_again(page, render), said, then or page)


def invalid(errors: forms.Errors, message: str, on: OnRefusal) -> None:
    """A form that did not load: answer it as the use case's own validation would be."""
    if errors:
        assert on.form is not None, "a form page renders its own field errors"
        raise Respond(on.form(errors, message, 422))


def _back(on: OnRefusal, message: str) -> Response:
    text = message.rstrip(".")
    flash(f"{on.prefix}: {text}.", "error")
    return redirect(on.back)


def form_with_message(
    page: str,
    errors: forms.Errors,
    status: int,
    blank: Any,
    labels: Mapping[str, str],
    typed: bool = False,
    **context: Any,
) -> tuple[str, int]:
    """`form_page` for a form whose refusal message comes under the key "" of `errors` (shown on top): the fields'
    messages named by `labels` (a field's first part), and what was typed when refused or `typed` (else `blank`)."""
    fields = forms.flatten_errors({k: v for k, v in errors.items() if k})
    values = request.form if errors or typed else blank
    message = (errors.get("") or [None])[0]

    def label(name: str) -> str:
        return labels.get(name.split(".")[0], name)

    return form_page(page, fields, status, label, message=message, values=values, **context)


def form_page(
    page: str,
    errors: forms.Errors | None = None,
    status: int = 200,
    label: Callable[[str], str] | None = None,
    **context: Any,
) -> tuple[str, int]:
    """A page with a form: its fields' messages (`errors`), their summary on top (fields named by `label`), and
    the status to answer with."""
    errors = errors or {}
    summary = forms.summary(errors, label or Labeller())
    return render_template(page, errors=errors, summary=summary, field_id=forms.field_id, **context), status
