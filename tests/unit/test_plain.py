"""The filters' inputs become plain dicts and lists once, at the boundary; their results are
never templated again (marked unsafe on ansible-core < 2.19)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import OrderedDict

from ansible.module_utils.six.moves.collections_abc import Mapping

from ansible_collections.hardened.eks.plugins.module_utils._plans.plain import plain
from ansible_collections.hardened.eks.plugins.plugin_utils import filter_io
from ansible_collections.hardened.eks.plugins.plugin_utils.filter_io import plan_filter


class CountingMapping(Mapping):
    """Stands for a lazy container: every read of a value is counted (as if templated)."""

    def __init__(self, data):
        self._data = data
        self.reads = 0

    def __getitem__(self, key):
        self.reads += 1
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)


def test_plain_copies_mappings_and_sequences_into_dicts_and_lists():
    value = CountingMapping({"a": (1, 2), "b": OrderedDict([("c", ["x", {"d": None}])])})
    out = plain(value)
    assert out == {"a": [1, 2], "b": {"c": ["x", {"d": None}]}}
    assert [out.__class__, out["a"].__class__, out["b"].__class__] == [dict, list, dict]
    assert value.reads == 2


def test_plain_keeps_strings_and_scalars_as_they_are():
    class Tagged(str):
        pass

    text = Tagged("kept")
    out = plain([text, 3, 1.5, True, None])
    assert out[0] is text and out[1:] == [3, 1.5, True, None]


def test_plain_reads_each_value_once_however_often_the_plan_reads_it():
    value = CountingMapping({"k": "v"})
    wrapped = plan_filter(lambda data, key: [data[key] for dummy in range(10)])
    assert wrapped(value, key="k") == ["v"] * 10
    assert value.reads == 1


def test_plan_filter_converts_positional_and_keyword_arguments():
    seen = []

    def func(*args, **kwargs):
        seen.append((args, kwargs))
        return "done"

    assert plan_filter(func)(CountingMapping({"a": 1}), (2,), extra=CountingMapping({"b": (3,)})) == "done"
    args, kwargs = seen[0]
    assert args == ({"a": 1}, [2]) and args[0].__class__ is dict
    assert kwargs == {"extra": {"b": [3]}} and kwargs["extra"].__class__ is dict


def test_the_result_is_kept_from_templating_where_ansible_would_template_it_again():
    """On ansible-core 2.17/2.18 (the multi-version runs) the result is marked unsafe; on 2.19,
    which never templates a filter's result again, it is returned as it is."""
    username = {"username": "reader:{{SessionName}}"}
    out = plan_filter(lambda: username)()
    assert out == username
    if filter_io._RETEMPLATES:
        from ansible.utils.unsafe_proxy import AnsibleUnsafe
        assert isinstance(out["username"], AnsibleUnsafe)
    else:
        assert out is username
