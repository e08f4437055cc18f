"""Masking personal data (phone and room numbers) for those who may not see it."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str:
    """138****5678: the first three and last four digits stay."""
    if not phone:
        return ""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_room(room: str | None) -> str:
    """502 -> 5**: the floor stays readable, the door does not."""
    if not room:
        return ""
    return room[0] + "*" * (len(room) - 1)
