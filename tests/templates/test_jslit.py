"""The lenient JS-literal parser used for crowd attribute values."""

from __future__ import annotations

import pytest

from a2i_kit.templates import parse_js_literal
from a2i_kit.templates.jslit import JsLiteralError


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("['Cat', 'Dog']", ["Cat", "Dog"]),
        ('["Cat", "Dog"]', ["Cat", "Dog"]),
        ("['a',]", ["a"]),
        ("{ text: 'None of the above' }", {"text": "None of the above"}),
        ("[{label: 'car', left: 1, top: -2.5, width: 1e2,},]",
         [{"label": "car", "left": 1, "top": -2.5, "width": 100.0}]),
        ("{'quoted-key': \"v\", $x: null, _y: true, z: false, u: undefined}",
         {"quoted-key": "v", "$x": None, "_y": True, "z": False, "u": None}),
        ("['it\\'s', \"say \\\"hi\\\"\", '\\u00e9\\n']", ["it's", 'say "hi"', "é\n"]),
        ("[ // a comment\n 1, /* two */ 2 ]", [1, 2]),
        ("[\n  { name: \"Weapons\", parentName: \"Violence\" },\n]",
         [{"name": "Weapons", "parentName": "Violence"}]),
        ("0x1F", 31),
        ("[]", []),
    ],
)
def test_parses_lenient_literals(text: str, value: object) -> None:
    assert parse_js_literal(text) == value


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("['a', 'b'", "expected ',' or ']'", 9),
        ("['a' 'b']", "expected ',' or ']'", 5),
        ("{a 1}", "expected ':' after a key", 3),
        ("['unterminated]", "unterminated string", 1),
        ("[1] x", "unexpected text after the value", 4),
        ("", "unexpected end of value", 0),
        ("[nope]", "unexpected 'n'", 1),
        ("[" * 200 + "'a'" + "]" * 200, "nested too deeply", 101),
    ],
)
def test_reports_position_of_errors(text: str, message: str, position: int) -> None:
    with pytest.raises(JsLiteralError) as info:
        parse_js_literal(text)
    assert message in str(info.value)
    assert info.value.position == position
