# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calico's selector language: tokenizer, parser, AST, evaluation.

The grammar is the one Calico's own parser accepts (libcalico-go ``lib/selector``), so a selector
that passes here is one that calicoctl and the Calico API server accept, and one that fails here
fails with the position of the problem::

    selector   := or_expr | ""                      (empty: all())
    or_expr    := and_expr ( "||" and_expr )*
    and_expr   := operation ( "&&" operation )*
    operation  := "!"* ( "has(" label ")" | "all()" | "global()" | "(" or_expr ")"
                         | label op string | label ("in" | "not in") "{" [ string ("," string)* [","] ] "}" )
    op         := "==" | "!=" | "contains" | "starts with" | "ends with"
    label      := [a-zA-Z0-9_./-]+
    string     := '"' any-but-'"' '"' | "'" any-but-"'" "'"       (no escapes)

Whitespace between tokens is spaces and tabs only (Calico rejects a newline). ``&&`` binds
tighter than ``||``; ``!`` applies to the single operation that follows it. Beyond Calico, label
keys are also checked against Kubernetes' label key syntax (``validate(..., strict_labels=True)``):
a key that no Kubernetes label can have makes ``has()`` never true and ``!=`` always true, which is
how a typo turns into an open network.

Only :class:`SelectorError` ever escapes :func:`parse` (a property-based unit test checks it).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

WHITESPACE = " \t"
LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-")
MAX_SELECTOR_LENGTH = 16384
MAX_NESTING = 200

# Kubernetes qualified name (label key): optional DNS-1123 subdomain prefix and "/", then a name of
# at most 63 characters: alphanumerics, "-", "_", "." inside.
_QNAME_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


class SelectorError(ValueError):
    """A selector that Calico would refuse (or that can never match what it names).

    ``position`` is the 0-based offset in ``selector`` where the problem is; ``str()`` gives the
    reason, the 1-based position and the selector with a ``>>>`` marker at that place.
    """

    def __init__(self, reason, selector, position):
        self.reason = reason
        self.selector = selector
        self.position = max(0, min(position, len(selector)))
        super(SelectorError, self).__init__(self._render())

    def _render(self):
        text = self.selector
        if len(text) > 200:
            start = max(0, self.position - 80)
            end = min(len(text), self.position + 80)
            before = ("..." if start else "") + text[start:self.position]
            after = text[self.position:end] + ("..." if end < len(text) else "")
        else:
            before, after = text[:self.position], text[self.position:]
        return "%s at position %d: %s>>>%s" % (self.reason, self.position + 1, _printable(before),
                                               _printable(after))


def _printable(text):
    return "".join(c if (" " <= c < "\x7f") else repr(c)[1:-1] for c in text)


# Tokens -----------------------------------------------------------------------------------------
LABEL, STRING, LBRACE, RBRACE, COMMA, EQ, NE, IN, NOT, NOTIN, CONTAINS, STARTSWITH, ENDSWITH, \
    ALL, HAS, LPAREN, RPAREN, AND, OR, GLOBAL, EOF = (
        "label", "string", "{", "}", ",", "==", "!=", "in", "!", "not in", "contains", "starts with",
        "ends with", "all()", "has()", "(", ")", "&&", "||", "global()", "end of selector")

_COMPARISONS = (EQ, NE, CONTAINS, STARTSWITH, ENDSWITH)


class Token(object):
    __slots__ = ("kind", "value", "pos", "end", "label_pos")

    def __init__(self, kind, value, pos, end, label_pos=None):
        self.kind = kind
        self.value = value
        self.pos = pos
        self.end = end
        self.label_pos = pos if label_pos is None else label_pos

    def describe(self):
        if self.kind == LABEL:
            return "label %r" % self.value
        if self.kind == STRING:
            return "string %r" % self.value
        if self.kind == HAS:
            return "has(%s)" % self.value
        if self.kind == EOF:
            return "the end of the selector"
        return "'%s'" % self.kind

    def __repr__(self):
        return "Token(%s, %r, %d)" % (self.kind, self.value, self.pos)


def _skip_ws(text, i):
    n = len(text)
    while i < n and text[i] in WHITESPACE:
        i += 1
    return i


def _scan_label(text, i):
    j = i
    n = len(text)
    while j < n and text[j] in LABEL_CHARS:
        j += 1
    return j


def tokenize(text):
    """The token list of a selector (ending with an EOF token)."""
    if not isinstance(text, str):
        raise SelectorError("a selector must be a string, not %s" % type(text).__name__, "", 0)
    if len(text) > MAX_SELECTOR_LENGTH:
        raise SelectorError("selector is longer than %d characters" % MAX_SELECTOR_LENGTH, text,
                            MAX_SELECTOR_LENGTH)
    tokens = []
    i = 0
    n = len(text)
    while True:
        i = _skip_ws(text, i)
        if i >= n:
            tokens.append(Token(EOF, None, n, n))
            return tokens
        c = text[i]
        last = tokens[-1].kind if tokens else None
        if c == "(":
            tokens.append(Token(LPAREN, None, i, i + 1))
            i += 1
        elif c == ")":
            tokens.append(Token(RPAREN, None, i, i + 1))
            i += 1
        elif c in "\"'":
            end = text.find(c, i + 1)
            if end < 0:
                raise SelectorError("unterminated string (no closing %s)" % c, text, i)
            tokens.append(Token(STRING, text[i + 1:end], i, end + 1))
            i = end + 1
        elif c == "{":
            tokens.append(Token(LBRACE, None, i, i + 1))
            i += 1
        elif c == "}":
            tokens.append(Token(RBRACE, None, i, i + 1))
            i += 1
        elif c == ",":
            tokens.append(Token(COMMA, None, i, i + 1))
            i += 1
        elif c == "=":
            if text.startswith("==", i):
                tokens.append(Token(EQ, None, i, i + 2))
                i += 2
            else:
                raise SelectorError("expected '==' (a single '=' is not an operator)", text, i)
        elif c == "!":
            if text.startswith("!=", i):
                tokens.append(Token(NE, None, i, i + 2))
                i += 2
            else:
                tokens.append(Token(NOT, None, i, i + 1))
                i += 1
        elif c == "&":
            if text.startswith("&&", i):
                tokens.append(Token(AND, None, i, i + 2))
                i += 2
            else:
                raise SelectorError("expected '&&' (a single '&' is not an operator)", text, i)
        elif c == "|":
            if text.startswith("||", i):
                tokens.append(Token(OR, None, i, i + 2))
                i += 2
            else:
                raise SelectorError("expected '||' (a single '|' is not an operator)", text, i)
        elif last == LABEL:
            i = _operator_after_label(text, i, tokens)
        elif text.startswith("has(", i):
            j = _skip_ws(text, i + 4)
            k = _scan_label(text, j)
            if k == j:
                raise SelectorError("expected a label name inside has( )", text, j)
            label = text[j:k]
            m = _skip_ws(text, k)
            if m >= n or text[m] != ")":
                raise SelectorError("expected ')' to close has(%s" % label, text, m)
            tokens.append(Token(HAS, label, i, m + 1, label_pos=j))
            i = m + 1
        elif text.startswith("all(", i) or text.startswith("global(", i):
            word = ALL if text[i] == "a" else GLOBAL
            j = _skip_ws(text, i + (4 if word == ALL else 7))
            if j >= n or text[j] != ")":
                raise SelectorError("expected ')' right after %s (it takes no argument)" % word[:-1],
                                    text, j)
            tokens.append(Token(word, None, i, j + 1))
            i = j + 1
        else:
            j = _scan_label(text, i)
            if j == i:
                if c in "\r\n":
                    reason = "a newline is not allowed in a selector (only spaces and tabs separate tokens)"
                else:
                    reason = "unexpected character %r" % c
                raise SelectorError(reason, text, i)
            tokens.append(Token(LABEL, text[i:j], i, j))
            i = j


def _operator_after_label(text, i, tokens):
    """After a label only an operator may follow (Calico reads the keywords by prefix)."""
    label = tokens[-1].value
    if text.startswith("contains", i):
        tokens.append(Token(CONTAINS, None, i, i + 8))
        return i + 8
    for word, kind in (("starts", STARTSWITH), ("ends", ENDSWITH), ("not", NOTIN)):
        if text.startswith(word, i):
            j = _skip_ws(text, i + len(word))
            second = "in" if kind == NOTIN else "with"
            if not text.startswith(second, j):
                raise SelectorError("expected '%s %s' after label %r" % (word, second, label), text, j)
            tokens.append(Token(kind, None, i, j + len(second)))
            return j + len(second)
    if text.startswith("in", i):
        tokens.append(Token(IN, None, i, i + 2))
        return i + 2
    raise SelectorError("expected an operator (==, !=, in, not in, contains, starts with, ends with) "
                        "after label %r" % label, text, i)


# AST --------------------------------------------------------------------------------------------
def _quote(value):
    return "'%s'" % value if "'" not in value else '"%s"' % value


class Node(object):
    """Selector AST node. ``str(node)`` is a canonical selector that parses back to an equal node."""

    __slots__ = ()

    def __eq__(self, other):
        return type(self) is type(other) and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((type(self).__name__, self._key()))

    def __repr__(self):
        return "<%s %s>" % (type(self).__name__, self)

    def walk(self):
        yield self


class AllNode(Node):
    __slots__ = ()

    def _key(self):
        return ()

    def __str__(self):
        return "all()"

    def evaluate(self, labels):
        return True


class GlobalNode(Node):
    __slots__ = ()

    def _key(self):
        return ()

    def __str__(self):
        return "global()"

    def evaluate(self, labels):
        return True


class HasNode(Node):
    __slots__ = ("label",)

    def __init__(self, label):
        self.label = label

    def _key(self):
        return (self.label,)

    def __str__(self):
        return "has(%s)" % self.label

    def evaluate(self, labels):
        return self.label in labels


class CompareNode(Node):
    __slots__ = ("label", "op", "value")

    def __init__(self, label, op, value):
        self.label = label
        self.op = op
        self.value = value

    def _key(self):
        return (self.label, self.op, self.value)

    def __str__(self):
        return "%s %s %s" % (self.label, self.op, _quote(self.value))

    def evaluate(self, labels):
        present = self.label in labels
        actual = labels.get(self.label)
        if self.op == EQ:
            return present and actual == self.value
        if self.op == NE:
            return not present or actual != self.value
        if not present:
            return False
        if self.op == CONTAINS:
            return self.value in actual
        if self.op == STARTSWITH:
            return actual.startswith(self.value)
        return actual.endswith(self.value)


class InSetNode(Node):
    __slots__ = ("label", "values", "negated")

    def __init__(self, label, values, negated):
        self.label = label
        self.values = tuple(sorted(set(values)))
        self.negated = negated

    def _key(self):
        return (self.label, self.values, self.negated)

    def __str__(self):
        return "%s %s {%s}" % (self.label, NOTIN if self.negated else IN,
                               ", ".join(_quote(v) for v in self.values))

    def evaluate(self, labels):
        inside = self.label in labels and labels[self.label] in self.values
        return not inside if self.negated else inside


class NotNode(Node):
    __slots__ = ("operand",)

    def __init__(self, operand):
        self.operand = operand

    def _key(self):
        return (self.operand,)

    def __str__(self):
        inner = str(self.operand)
        if isinstance(self.operand, (AndNode, OrNode, CompareNode, InSetNode)):
            inner = "(%s)" % inner
        return "!" + inner

    def walk(self):
        yield self
        yield from self.operand.walk()

    def evaluate(self, labels):
        return not self.operand.evaluate(labels)


class AndNode(Node):
    __slots__ = ("operands",)

    def __init__(self, operands):
        self.operands = tuple(operands)

    def _key(self):
        return self.operands

    def __str__(self):
        return " && ".join("(%s)" % o if isinstance(o, OrNode) else str(o) for o in self.operands)

    def walk(self):
        yield self
        for o in self.operands:
            yield from o.walk()

    def evaluate(self, labels):
        return all(o.evaluate(labels) for o in self.operands)


class OrNode(Node):
    __slots__ = ("operands",)

    def __init__(self, operands):
        self.operands = tuple(operands)

    def _key(self):
        return self.operands

    def __str__(self):
        return " || ".join(str(o) for o in self.operands)

    def walk(self):
        yield self
        for o in self.operands:
            yield from o.walk()

    def evaluate(self, labels):
        return any(o.evaluate(labels) for o in self.operands)


# Parser -----------------------------------------------------------------------------------------
class _Parser(object):
    def __init__(self, text, tokens):
        self.text = text
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.i]

    def next(self):
        tok = self.tokens[self.i]
        if tok.kind != EOF:
            self.i += 1
        return tok

    def fail(self, reason, tok):
        raise SelectorError(reason, self.text, tok.pos)

    def parse_or(self):
        operands = [self.parse_and()]
        while self.peek().kind == OR:
            self.next()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else OrNode(operands)

    def parse_and(self):
        operands = [self.parse_operation()]
        while self.peek().kind == AND:
            self.next()
            operands.append(self.parse_operation())
        return operands[0] if len(operands) == 1 else AndNode(operands)

    def parse_operation(self):
        negated = False
        while self.peek().kind == NOT:
            self.next()
            negated = not negated
        tok = self.next()
        if tok.kind == HAS:
            node = HasNode(tok.value)
        elif tok.kind == ALL:
            node = AllNode()
        elif tok.kind == GLOBAL:
            node = GlobalNode()
        elif tok.kind == LPAREN:
            self.depth += 1
            if self.depth > MAX_NESTING:
                self.fail("parentheses nested deeper than %d" % MAX_NESTING, tok)
            node = self.parse_or()
            close = self.next()
            if close.kind != RPAREN:
                self.fail("expected ')' to close the '(' at position %d, found %s"
                          % (tok.pos + 1, close.describe()), close)
            self.depth -= 1
        elif tok.kind == LABEL:
            node = self.parse_comparison(tok)
        elif tok.kind == EOF:
            self.fail("unexpected end of selector: expected an expression", tok)
        else:
            self.fail("expected an expression (a label comparison, has(), all(), '!' or '('), found %s"
                      % tok.describe(), tok)
        return NotNode(node) if negated else node

    def parse_comparison(self, label):
        op = self.next()
        if op.kind in _COMPARISONS:
            value = self.next()
            if value.kind != STRING:
                hint = ""
                if value.kind == LABEL:
                    hint = " (quote it: '%s')" % value.value
                self.fail("expected a quoted value after '%s %s', found %s%s"
                          % (label.value, op.kind, value.describe(), hint), value)
            return CompareNode(label.value, op.kind, value.value)
        if op.kind in (IN, NOTIN):
            brace = self.next()
            if brace.kind != LBRACE:
                self.fail("expected a set literal '{...}' after '%s', found %s" % (op.kind, brace.describe()),
                          brace)
            values = []
            while True:
                tok = self.peek()
                if tok.kind != STRING:
                    break
                values.append(self.next().value)
                if self.peek().kind == COMMA:
                    self.next()
                else:
                    break
            close = self.next()
            if close.kind != RBRACE:
                self.fail("expected a quoted string, ',' or '}' in the set literal, found %s" % close.describe(),
                          close)
            return InSetNode(label.value, values, op.kind == NOTIN)
        self.fail("expected an operator (==, !=, in, not in, contains, starts with, ends with) after %s, "
                  "found %s" % (label.describe(), op.describe()), op)
        return None  # pragma: no cover


class Selector(object):
    """A parsed selector: ``root`` (None for the empty selector, which Calico reads as all()),
    ``text`` (as given) and the tokens."""

    def __init__(self, text, root, tokens):
        self.text = text
        self.root = root
        self.tokens = tokens

    @property
    def is_empty(self):
        return self.root is None

    def nodes(self):
        return list(self.root.walk()) if self.root is not None else []

    def uses_global(self):
        return any(isinstance(n, GlobalNode) for n in self.nodes())

    def is_only_global(self):
        return isinstance(self.root, GlobalNode)

    def labels(self):
        """(label, position) pairs for every label key the selector names."""
        # Every LABEL token of a parsed selector is a key (values are always STRING tokens).
        return [(tok.value, tok.label_pos) for tok in self.tokens if tok.kind in (LABEL, HAS)]

    def canonical(self):
        return str(self.root) if self.root is not None else "all()"

    def evaluate(self, labels):
        return True if self.root is None else self.root.evaluate(labels)

    def __str__(self):
        return self.text


def parse(text):
    """Parse ``text``; raise :class:`SelectorError` (and nothing else) when Calico would refuse it."""
    try:
        tokens = tokenize(text)
        if tokens[0].kind == EOF:
            return Selector(text, None, tokens)
        parser = _Parser(text, tokens)
        root = parser.parse_or()
        rest = parser.peek()
        if rest.kind != EOF:
            hint = ""
            if rest.kind == RPAREN:
                hint = " (a ')' without its '(')"
            elif rest.kind in (LABEL, HAS, ALL, GLOBAL, LPAREN, NOT):
                hint = " (missing '&&' or '||'?)"
            parser.fail("unexpected %s after a complete expression%s" % (rest.describe(), hint), rest)
        return Selector(text, root, tokens)
    except SelectorError:
        raise
    except RecursionError:
        raise SelectorError("selector is nested too deeply", text if isinstance(text, str) else "", 0)


def is_qualified_name(key):
    """Kubernetes label key syntax: ``[prefix/]name``."""
    if key.count("/") > 1:
        return False
    prefix, _sep, name = key.rpartition("/")
    if _sep:
        if not prefix or len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix):
            return False
    return 0 < len(name) <= 63 and bool(_QNAME_NAME.match(name))


def validate(text, strict_labels=True):
    """Parse ``text`` and also refuse label keys no Kubernetes label can have. Returns the Selector."""
    sel = parse(text)
    if strict_labels:
        for key, pos in sel.labels():
            if not is_qualified_name(key):
                raise SelectorError("label key %r is not a valid Kubernetes label key, so it can never "
                                    "match ([prefix/]name: name up to 63 of [A-Za-z0-9-_.], "
                                    "alphanumeric at both ends)" % key, text, pos)
    return sel
