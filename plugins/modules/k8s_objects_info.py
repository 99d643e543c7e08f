#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: k8s_objects_info
short_description: Read several kinds of Kubernetes objects in one module process
version_added: 0.3.0
author:
  - hardened.eks maintainers (@hardened-eks)
description:
  - Answers a list of queries (one object by name, or a list in a namespace or cluster-wide,
    narrowed by label and field selectors) in one module process, with one GET per query and per
    page of 500 for a list. M(kubernetes.core.k8s_info) reads one kind per module process, and
    a module process costs about a second where the GET costs milliseconds.
  - The path of a built-in kind (ConfigMap, Namespace, Node, Pod, Secret, Service,
    ServiceAccount, DaemonSet, Deployment, the four RBAC kinds, CustomResourceDefinition) is
    known; a custom resource's comes from its O(queries[].resource), or else from one discovery
    GET per group version.
  - A group version the server does not serve is not an error; its query returns
    C(api_found=false) with no resources in RV(objects), as M(kubernetes.core.k8s_info) does.
  - Connection options and their C(K8S_AUTH_*) environment fallbacks are those of
    kubernetes.core.
options:
  queries:
    description: What to read; each result is found under its O(queries[].id).
    type: list
    elements: dict
    required: true
    suboptions:
      id:
        description: The key of this query's result in RV(objects) (letters, digits and C(_)).
        type: str
        required: true
      api_version:
        description: C(<group>/<version>), or C(v1) for the core group.
        type: str
        default: v1
      kind:
        description: The kind, for example C(ServiceAccount).
        type: str
        required: true
      resource:
        description:
          - The plural resource name of a custom kind (for example C(eniconfigs)), which saves
            the discovery GET. Not needed for the built-in kinds.
        type: str
      name:
        description: Read this one object. Without it, the list of the kind.
        type: str
      namespace:
        description: The namespace of a namespaced kind. Without it a list is cluster-wide.
        type: str
      label_selectors:
        description: Label selectors of a list, ANDed (as in M(kubernetes.core.k8s_info)).
        type: list
        elements: str
      field_selectors:
        description: Field selectors of a list, ANDed.
        type: list
        elements: str
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - hardened.eks.attributes.read_only
notes:
  - Queries run in the order given. A failure other than C(404) (for example C(403)) fails the
    module and names the query.
"""

EXAMPLES = r"""
- name: Read aws-node, its service account and the ENIConfigs at once
  hardened.eks.k8s_objects_info:
    queries:
      - id: daemonset
        api_version: apps/v1
        kind: DaemonSet
        namespace: kube-system
        name: aws-node
      - id: service_account
        kind: ServiceAccount
        namespace: kube-system
        name: aws-node
      - id: eniconfigs
        api_version: crd.k8s.amazonaws.com/v1alpha1
        kind: ENIConfig
        resource: eniconfigs
  register: cni

- name: Custom networking is configured when ENIConfigs exist
  ansible.builtin.debug:
    msg: "{{ cni.objects.eniconfigs.resources | map(attribute='metadata.name') | list }}"
"""

RETURN = r"""
objects:
  description:
    - Per query id, C(api_found) (false when the server does not serve the group version or
      kind) and C(resources), the objects found (none for a name that does not exist).
  returned: success
  type: dict
  sample:
    daemonset:
      api_found: true
      resources:
        - apiVersion: apps/v1
          kind: DaemonSet
          metadata: {name: aws-node, namespace: kube-system}
    eniconfigs:
      api_found: false
      resources: []
api_requests:
  description: The number of GETs the module sent (discovery and pages included).
  returned: success
  type: int
  sample: 3
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8S_AUTH_ARG_SPEC, K8sError, connect
from ansible_collections.hardened.eks.plugins.module_utils._k8s_read import QueryError, check_queries, read_all


def argument_spec():
    spec = dict(queries=dict(type="list", elements="dict", required=True, options=dict(
        id=dict(type="str", required=True),
        api_version=dict(type="str", default="v1"),
        kind=dict(type="str", required=True),
        resource=dict(type="str"),
        name=dict(type="str"),
        namespace=dict(type="str"),
        label_selectors=dict(type="list", elements="str"),
        field_selectors=dict(type="list", elements="str"),
    )))
    spec.update(K8S_AUTH_ARG_SPEC)
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    api = None
    try:
        queries = check_queries(module.params["queries"])
        api = connect(module)
        objects = read_all(api, queries)
    except QueryError as exc:
        module.fail_json(msg="Nothing was read; fix the queries: %s" % exc, problems=exc.problems)
    except K8sError as exc:
        module.fail_json(msg=str(exc), api_requests=api.requests if api else 0)
    module.exit_json(changed=False, objects=objects, api_requests=api.requests)


if __name__ == "__main__":
    main()
