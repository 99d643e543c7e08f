# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tokens of Calico's selector language, as libcalico-go's lib/selector/tokenizer reads them.
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
