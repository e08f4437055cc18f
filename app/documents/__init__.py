"""Documents: files attached to a feature's objects (a decision's quotes, a project's inspection report).

A kernel: it knows no feature. A feature (or a flow) registers an owner kind in `registry`, with the model
and its own `can_view` / `can_attach` / `can_remove`; the routes here load the owner through the access
rule and ask those checks. See docs/architecture.md (kernels)."""

from flask import Blueprint

bp = Blueprint("documents", __name__)
