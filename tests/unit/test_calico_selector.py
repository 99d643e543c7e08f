"""Calico selector parser: a table from Calico's documented syntax and its parser tests, positions
in errors, evaluation, canonical form, and property-based tests (hypothesis)."""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.hardened.eks.plugins.module_utils.calico_selector import (
    AllNode,
    AndNode,
    CompareNode,
    HasNode,
    InSetNode,
    NotNode,
    OrNode,
    SelectorError,
    is_qualified_name,
    parse,
    validate,
)

# (selector, labels that match, labels that do not match)
VALID = [
    ('a == "b"', [{"a": "b"}, {"a": "b", "c": "d"}], [{}, {"a": "c"}, {"c": "d"}]),
    ('a == "b" && c == "d"', [{"a": "b", "c": "d"}], [{}, {"a": "b", "c": "e"}, {"a": "b"}]),
    ('a == "b" || c == "d"', [{"a": "b"}, {"c": "d"}], [{}, {"a": "e", "c": "e"}]),
    ("a in {\"'\", '\"', \"c\"}", [{"a": "c"}, {"a": '"'}, {"a": "'"}], [{}, {"a": "e"}]),
    ("a not in {\"'\", '\"', \"c\"}", [{}, {"a": "e"}], [{"a": "c"}, {"a": '"'}]),
    ("a == 'a'", [{"a": "a"}], [{"a": "b"}, {}]),
    ('a != "b"', [{"a": "a"}, {}], [{"a": "b"}]),
    ('a contains "a"', [{"a": "bab"}], [{}, {"a": "b"}, {"b": "aaa"}]),
    ('a starts with "a"', [{"a": "abb"}], [{}, {"a": "baa"}]),
    ('a ends with "a"', [{"a": "bba"}], [{}, {"a": "aab"}]),
    ("a startswith 'x'", [{"a": "xy"}], [{"a": "yx"}]),
    ("a endswith 'x'", [{"a": "yx"}], [{"a": "xy"}]),
    ('!a in {"a"}', [{"a": "b"}, {}], [{"a": "a"}]),
    ("a in {}", [], [{"a": ""}, {}]),
    ("a not in {}", [{"a": "x"}, {}], []),
    ("a in {'x', 'y',}", [{"a": "y"}], [{"a": "z"}]),
    ("has(a)", [{"a": "b"}], [{"b": "b"}]),
    ("has( a )", [{"a": ""}], [{}]),
    ("!has(a)", [{"b": "b"}], [{"a": "b"}]),
    ("!!has(b)", [{"b": "x"}], [{"a": "b"}]),
    ("! !!has(a)", [{}], [{"a": "b"}]),
    ("", [{}, {"a": "b"}], []),
    (" ", [{}], []),
    ("\t all() ", [{}, {"a": "b"}], []),
    ("all( )", [{}], []),
    ("global()", [{}], []),
    ("a == 'a1' && b != 'b1'", [{"a": "a1"}], [{"a": "a1", "b": "b1"}]),
    ("!a == 'a1' && b == 'b1'", [{"b": "b1"}], [{"a": "a1", "b": "b1"}]),
    ("!(!has(a) || has(b))", [{"a": "a"}], [{"a": "a", "b": "b"}, {}]),
    ("! a == 'a1' || ! b == 'b1'", [{"a": "a1"}], [{"a": "a1", "b": "b1"}]),
    # && binds tighter than ||
    ("a == '1' || b == '1' && c == '1'", [{"a": "1"}, {"b": "1", "c": "1"}], [{"b": "1"}]),
    ("(a == '1' || b == '1') && c == '1'", [{"a": "1", "c": "1"}], [{"a": "1"}]),
    ("app.kubernetes.io/name == 'web' && projectcalico.org/namespace == 'shop'",
     [{"app.kubernetes.io/name": "web", "projectcalico.org/namespace": "shop"}], [{"app.kubernetes.io/name": "web"}]),
    ("k8s-app=='kube-dns'", [{"k8s-app": "kube-dns"}], []),
    ("a!='\"'", [{"a": "x"}], [{"a": '"'}]),
    ("a == \"it's\"", [{"a": "it's"}], []),
    ("((((has(a)))))", [{"a": "1"}], [{}]),
    ("has(a)&&has(b)||has(c)", [{"c": "1"}, {"a": "1", "b": "2"}], [{"a": "1"}]),
    ("role in {'frontend','gateway'} && !has(debug)", [{"role": "gateway"}], [{"role": "gateway", "debug": ""}]),
]

# (selector, position (1-based) the error points at, words the message contains)
INVALID = [
    ("b == b", 6, "quoted value"),
    ("b contains b", 12, "quoted value"),
    ("b starts with b", 15, "quoted value"),
    ("b ends with b", 13, "quoted value"),
    ("'b1' == b", 1, "expected an expression"),
    ("b", 2, "expected an operator"),
    ("a b", 3, "expected an operator"),
    ("!", 2, "unexpected end"),
    ('foo == "bar" &', 14, "'&&'"),
    ('foo == "bar" |', 14, "'||'"),
    ("foo != ||", 8, "quoted value"),
    ('foo in {"", ||', 13, "set literal"),
    ('foo in ""', 8, "set literal"),
    ('"FOO', 1, "unterminated string"),
    ("\"FOO'", 1, "unterminated string"),
    ("'FOO", 1, "unterminated string"),
    ("(", 2, "unexpected end"),
    ('(a == "foo"', 12, "expected ')'"),
    (")", 1, "expected an expression"),
    ("()", 2, "expected an expression"),
    ("%", 1, "unexpected character"),
    ('a == "b" && %', 13, "unexpected character"),
    ('a == "b" || %', 13, "unexpected character"),
    ("a ", 3, "expected an operator"),
    ("has(foo) &&", 12, "unexpected end"),
    ("a = 'b'", 3, "'=='"),
    ("a == 'b' c == 'd'", 10, "missing '&&' or '||'"),
    ("a == 'b')", 9, "without its '('"),
    ("has (a)", 5, "expected an operator"),
    ("has()", 5, "label name"),
    ("has(a", 6, "expected ')'"),
    ("all(x)", 5, "no argument"),
    ("global(a)", 8, "no argument"),
    ("a starts 'x'", 10, "starts with"),
    ("a not 'x'", 7, "not in"),
    ("a in {'x' 'y'}", 11, "set literal"),
    ("a in {x}", 7, "set literal"),
    ("app == 'x'\n&& b == 'y'", 11, "newline"),
    ("a == 'é' && é", 13, "unexpected character"),
    ("a && b == 'c'", 3, "expected an operator"),
    ("a == 'b' &&& c == 'd'", 12, "a single '&'"),
]


@pytest.mark.parametrize("text,matches,non_matches", VALID)
def test_valid_selectors_parse_and_evaluate(text, matches, non_matches):
    sel = validate(text)
    for labels in matches:
        assert sel.evaluate(labels), (text, labels)
    for labels in non_matches:
        assert not sel.evaluate(labels), (text, labels)
    # The canonical form parses back to the same tree and means the same.
    again = parse(sel.canonical())
    assert again.canonical() == sel.canonical()
    for labels in matches + non_matches:
        assert again.evaluate(labels) == sel.evaluate(labels)


@pytest.mark.parametrize("text,position,words", INVALID)
def test_invalid_selectors_name_the_position(text, position, words):
    with pytest.raises(SelectorError) as err:
        parse(text)
    assert err.value.position + 1 == position, str(err.value)
    assert words in str(err.value)
    assert "at position %d" % position in str(err.value)
    # The marker sits where the problem is.
    assert ">>>" in str(err.value)


def test_error_message_shows_the_selector_with_a_marker():
    with pytest.raises(SelectorError) as err:
        parse("app == web")
    assert str(err.value) == ("expected a quoted value after 'app ==', found label 'web' (quote it: 'web') "
                              "at position 8: app == >>>web")


def test_canonical_forms():
    assert parse("").canonical() == "all()"
    assert parse(" (all() )").canonical() == "all()"
    assert parse('! (has( b)||! has(a ))').canonical() == "!(has(b) || !has(a))"
    assert parse('a in {"z", "z", "x", "a"}').canonical() == "a in {'a', 'x', 'z'}"
    assert parse("a startswith 'x'").canonical() == "a starts with 'x'"
    assert parse("a == \"it's\"").canonical() == "a == \"it's\""


def test_tree_shape_follows_precedence():
    root = parse("a == '1' || !b == '2' && has(c)").root
    assert root == OrNode([CompareNode("a", "==", "1"),
                           AndNode([NotNode(CompareNode("b", "==", "2")), HasNode("c")])])
    assert parse("all()").root == AllNode()
    assert parse("x not in {'b', 'a'}").root == InSetNode("x", ["a", "b"], True)


def test_global_detection():
    assert parse("global()").is_only_global()
    assert parse("global() && a == 'b'").uses_global()
    assert not parse("global() && a == 'b'").is_only_global()
    assert not parse("a == 'global()'").uses_global()


@pytest.mark.parametrize("key,ok", [
    ("app", True), ("app.kubernetes.io/name", True), ("k8s-app", True), ("a_b.c-d", True),
    ("projectcalico.org/namespace", True), ("a..b", True),
    ("-app", False), ("app-", False), ("a/b/c", False), ("UPPER.io/x", False), ("/x", False),
    ("x/", False), ("a" * 64, False), ("a" * 63, True),
])
def test_label_keys(key, ok):
    assert is_qualified_name(key) is ok


def test_strict_label_keys_are_beyond_calico():
    parse("has(-typo)")  # Calico's grammar accepts it...
    with pytest.raises(SelectorError) as err:
        validate("app == 'x' && !has(-typo)")  # ...but no label can have that key
    assert "not a valid Kubernetes label key" in str(err.value)
    assert err.value.position == len("app == 'x' && !has(")
    validate("has(-typo)", strict_labels=False)


def test_non_string_and_huge_input():
    with pytest.raises(SelectorError):
        parse(None)
    with pytest.raises(SelectorError):
        parse(42)
    with pytest.raises(SelectorError):
        parse("a == 'b' && " * 3000 + "all()")
    with pytest.raises(SelectorError) as err:
        parse("(" * 300 + "all()" + ")" * 300)
    assert "nested" in str(err.value)
    assert parse("(" * 150 + "all()" + ")" * 150).canonical() == "all()"
    assert parse("!" * 5000 + "all()").canonical() == "all()"


# Property-based --------------------------------------------------------------------------------
FRAGMENTS = ["a", "b", "app", "k8s-app", "x.io/y", " ", "\t", "(", ")", "{", "}", ",", "==", "!=", "=",
             "!", "&&", "||", "&", "|", "'v'", '"w"', "'", '"', "in", "not", "not in", "contains", "starts",
             "with", "ends", "has(", "has(a)", "all()", "all(", "global()", "global(", "\n", "%", "é"]


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_parser_only_raises_its_own_error_on_arbitrary_text(text):
    try:
        sel = parse(text)
    except SelectorError as exc:
        assert 0 <= exc.position <= len(text)
        return
    # Whatever parses has a canonical form that parses back to the same thing.
    assert parse(sel.canonical()).canonical() == sel.canonical()


@settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join))
def test_parser_only_raises_its_own_error_on_token_soup(text):
    try:
        sel = validate(text)
    except SelectorError as exc:
        assert 0 <= exc.position <= len(text)
        assert str(exc)
        return
    assert parse(sel.canonical()).canonical() == sel.canonical()


LABELS = st.sampled_from(["a", "b", "app", "x.io/y"])
VALUES = st.sampled_from(["", "1", "v", "it's", 'say "hi"'])


def _leaf():
    return st.one_of(
        st.just(AllNode()),
        LABELS.map(HasNode),
        st.builds(CompareNode, LABELS, st.sampled_from(["==", "!=", "contains", "starts with", "ends with"]),
                  VALUES.filter(lambda v: not ("'" in v and '"' in v))),
        st.builds(InSetNode, LABELS, st.lists(VALUES.filter(lambda v: "'" not in v or '"' not in v), max_size=3),
                  st.booleans()),
    )


TREES = st.recursive(_leaf(), lambda kids: st.one_of(
    kids.map(NotNode),
    st.lists(kids, min_size=2, max_size=3).map(AndNode),
    st.lists(kids, min_size=2, max_size=3).map(OrNode),
), max_leaves=12)
LABEL_SETS = st.dictionaries(LABELS, VALUES, max_size=4)


@settings(max_examples=250, deadline=None)
@given(TREES, st.lists(LABEL_SETS, min_size=1, max_size=5))
def test_generated_selectors_round_trip_with_the_same_meaning(tree, label_sets):
    text = str(tree)
    sel = validate(text)
    for labels in label_sets:
        assert sel.evaluate(labels) == tree.evaluate(labels), (text, labels)
