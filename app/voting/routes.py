"""The receipts page: a voter checks, with their tracking code, that their ballot was counted."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from app.voting import bp, labels, services  # noqa: F401  (labels: the glossary's ballot words)
from app.voting.forms import ReceiptForm


@bp.route("/receipts")
def receipt():
    """Look up a tracking code (回执码): the ballot's poll, its place in the chain, and whether it is counted."""
    form = ReceiptForm(request.args)
    found = None
    status = 200
    if "code" in request.args:
        if form.validate():
            found = services.lookup_receipt(form.code.data)
            if found is None:
                form.code.errors.append(services.RECEIPT_NOT_FOUND)
                status = 404
        else:
            status = 400
    return render_template("voting/receipt.html", form=form, found=found), status


@bp.route("/receipts/mine")
@login_required
def my_receipts():
    """Every ballot this member cast, with its tracking code, newest poll first."""
    return render_template("voting/mine.html", found=services.receipts_of(current_user.id))
