"""Voting permissions: a voter sees their own ballot's receipt."""

from __future__ import annotations


def can_see_receipt(actor, ballot) -> bool:
    return actor is not None and getattr(actor, "id", None) == ballot.voter_id
