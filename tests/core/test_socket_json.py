"""core.socket_json: a kept fragment is written into a packet byte for byte as its value would be."""

from __future__ import annotations

import json

import pytest
from socketio.packet import ACK, Packet

from app.core import socket_json
from app.core.socket_json import Fragment

ANSWER = {
    "consultation": {"id": 7, "title": "加装电梯", "tags": ["a", None, 1.5, True]},
    "messages": [{"id": 1, "body_html": '<p>同意 "引号" \\ 与 \u2028</p>'}, {"id": 2, "body_html": ""}],
    "motion": None,
}


def test_fragments_are_written_as_their_values_would_be():
    spliced = {"ok": True, **{key: Fragment(value) for key, value in ANSWER.items()}, "you": {"id": 3}}
    plain = {"ok": True, **ANSWER, "you": {"id": 3}}
    assert socket_json.dumps([spliced], separators=(",", ":")) == json.dumps([plain], separators=(",", ":"))
    assert socket_json.loads(socket_json.dumps(spliced)) == plain


def test_a_packet_holding_fragments_reads_as_the_plain_one(app):
    """What the client receives for an acknowledgement: python-socketio writes it with the server's json."""
    assert Packet.json is socket_json  # the app's SocketIO was given the module (app/__init__.py)
    spliced = Packet(ACK, data=[{"ok": True, "messages": Fragment(ANSWER["messages"])}], namespace="/c", id=4)
    plain = Packet(ACK, data=[{"ok": True, "messages": ANSWER["messages"]}], namespace="/c", id=4)
    assert spliced.packet_type == ACK  # a fragment is not taken for a binary attachment
    assert spliced.encode() == plain.encode()


def test_text_that_looks_like_a_mark_stays_text():
    """Only a Fragment is spliced: a string written as a mark would be (without the process's secret) is text."""
    fake = "\x00" + "0" * 16 + ":0"
    value = {"a": Fragment([1]), "b": fake, "c": "\\u0000"}
    assert socket_json.loads(socket_json.dumps(value)) == {"a": [1], "b": fake, "c": "\\u0000"}


def test_anything_else_not_encodable_is_refused_as_json_refuses_it():
    with pytest.raises(TypeError):
        socket_json.dumps({"a": object()})
    with pytest.raises(TypeError):
        Fragment({"a": {1, 2}})
    assert socket_json.dumps({"a": {1}}, default=sorted) == '{"a": [1]}'


def test_fragments_compare_and_read_back():
    assert Fragment({"a": 1}) == Fragment({"a": 1}) != Fragment({"a": 2})
    assert Fragment({"a": [1]}).value() == {"a": [1]}
    assert socket_json.plain({"x": [Fragment({"a": 1})]}) == {"x": [{"a": 1}]}
