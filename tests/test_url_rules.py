"""The mock's rules build the URLs plain werkzeug rules build, compiling their builders lazily."""

from __future__ import annotations

import flask
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.routing import Map, Rule

from mock_flowservice import create_app
from mock_flowservice.url_rules import LazyRule

from .budget import examples

#: Path values and query values, with characters that need quoting.
VALUES = st.text(
    st.characters(codec="utf-8", exclude_characters="/", exclude_categories=("Cs",)),
    min_size=1,
    max_size=12,
)


def _copy(app: flask.Flask, rule_class: type[Rule]) -> Map:
    rules = [rule_class(rule.rule, **rule.get_empty_kwargs()) for rule in app.url_map.iter_rules()]
    return Map(rules, merge_slashes=app.url_map.merge_slashes)


APP = create_app()
#: werkzeug's own rules, compiled once: the reference.
PLAIN = _copy(APP, Rule).bind("mock.test")


def test_every_rule_of_the_app_is_lazy_until_it_builds() -> None:
    app = create_app()
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 50
    assert all(isinstance(rule, LazyRule) for rule in rules)
    rule = next(r for r in rules if r.endpoint == "health.health")
    stand_ins = {rule._build, rule._build_unknown}
    assert {builder.__name__ for builder in stand_ins} == {"build_on_first_use"}
    with app.test_request_context():
        assert flask.url_for("health.health", x="1") == "/__mock__/health?x=1"
        assert rule._build_unknown not in stand_ins  # werkzeug's own builder, compiled now
        assert rule._build in stand_ins  # the other one still waits
        assert flask.url_for("health.health", x="2") == "/__mock__/health?x=2"


@settings(max_examples=examples(12), deadline=None, derandomize=True, database=None)
@given(path_value=VALUES, query_value=VALUES)
def test_every_rule_builds_what_a_plain_werkzeug_rule_builds(
    path_value: str, query_value: str
) -> None:
    lazy = _copy(APP, LazyRule).bind("mock.test")  # new rules: every builder compiles here
    for rule in APP.url_map.iter_rules():
        values = dict.fromkeys(rule.arguments, path_value)
        method = sorted(rule.methods or {"GET"})[0]
        for unknown in (False, True):  # werkzeug's two builders: unknown arguments kept or not
            for extra in ({}, {"q": query_value}):
                args = ({**values, **extra},)
                expected = PLAIN.build(rule.endpoint, *args, method, append_unknown=unknown)
                built = lazy.build(rule.endpoint, *args, method, append_unknown=unknown)
                assert built == expected, (rule.rule, unknown, extra)
