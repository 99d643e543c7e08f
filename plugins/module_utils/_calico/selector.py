# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The parsed form of a Calico selector, its parser and its evaluation against labels.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import ALL
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import AND
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import COMMA
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import CONTAINS
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import EOF
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import EQ
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import GLOBAL
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import HAS
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import IN
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import LABEL
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import LBRACE
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import LPAREN
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import MAX_NESTING
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import NE
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import NOT
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import NOTIN
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import OR
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import RBRACE
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import RPAREN
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import STARTSWITH
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import STRING
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import SelectorError
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import _COMPARISONS
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import _DNS1123_SUBDOMAIN
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import _QNAME_NAME
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import _quote
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import tokenize


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
