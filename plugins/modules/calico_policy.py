#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: calico_policy
short_description: Manage Calico policies, network sets and tiers, validated offline, one or hundreds per task
version_added: 0.1.0
author:
  - hardened.eks maintainers (@hardened-eks)
description:
  - Creates, updates and deletes Calico C(NetworkPolicy), C(GlobalNetworkPolicy), C(NetworkSet),
    C(GlobalNetworkSet) and C(Tier) objects, one per task or a whole list in one task (O(policies)).
  - "Everything is validated before any request, as strictly as C(calicoctl) and in places
    more strictly, because the C(crd.projectcalico.org/v1) path validates almost nothing and
    Calico silently ignores a policy it cannot use. Checked are the full selector grammar
    (errors show the position), actions, protocols, ports, CIDRs and IP versions, ICMP type and
    code, C(spec.types) against the rules, C(order), names (DNS-1123, tier prefixes), namespaces
    per kind, HTTP matches, services and service accounts, and unknown fields (with a
    suggestion). Every problem of a batch is reported in one failure, each with its item and
    field path, for example the item C(policies[3]) named C(NetworkPolicy app/web-allow) and the
    field C(spec.ingress[0].source.selector)."
  - Beyond C(calicoctl), the module refuses selectors naming label keys that no Kubernetes label can
    have, an empty C(spec.egress) without C(spec.types) (Calico infers C([Ingress]) from it),
    rules whose ingress or egress list is ignored because C(spec.types) leaves it out, ICMP
    fields without an ICMP protocol, ICMP rules with CIDRs of the other IP version, policies in
    a tier that does not exist, and deleting a tier that still holds policies.
  - Specs are normalized before they are compared (C(selector) V(all(\)) when missing, C(types)
    inferred from the rules as Calico does, C(tier) V(default), empty lists and mappings dropped,
    port and protocol numbers given as strings read as numbers, CIDRs in canonical form), so
    a converged object reports no change.
  - Objects written by this module carry the label C(hardened.eks/managed-by=calico_policy).
    O(purge) only ever deletes objects that carry it.
  - "Reads: one LIST per kind (cluster-wide) for the kinds the task names; a kind whose items
    all sit in one namespace is listed in that namespace only, a single object is read with one
    GET. Writes only for differences: tiers first, then network sets, then policies; deletes
    in the reverse order."
options:
  kind:
    description: Kind of the object (single-object mode). Required with O(name).
    type: str
    choices: [NetworkPolicy, GlobalNetworkPolicy, NetworkSet, GlobalNetworkSet, Tier]
  name:
    description:
      - Name of the object (single-object mode).
      - A policy in tier C(T) must be named C(T.<name>) and set C(spec.tier=T). Policies in the
        default tier are named without any prefix; a C(default.) prefix is refused, so one
        policy has one name on both APIs (the Calico API server accepts both spellings, the CRDs
        would store two objects).
    type: str
  namespace:
    description:
      - Namespace of a C(NetworkPolicy) or C(NetworkSet). Required for those kinds, refused for
        the cluster-wide kinds.
    type: str
  labels:
    description:
      - Labels of the object. They are merged into the current labels (see O(purge_labels)).
      - Network sets are selected by their labels in policy rules.
    type: dict
  spec:
    description:
      - The Calico v3 spec of the object, camelCase as in the Calico documentation
        (C(order), C(tier), C(selector), C(types), C(ingress), C(egress), ... for policies;
        C(nets) for network sets; C(order), C(defaultAction) for tiers).
      - Required for policies with O(state=present).
    type: dict
  state:
    description:
      - Whether the object should exist.
      - In batch mode, the default for items of O(policies) that do not set their own C(state).
    type: str
    choices: [present, absent]
    default: present
  policies:
    description:
      - Batch mode, a list of objects, each a mapping with the keys C(kind), C(name),
        C(namespace), C(labels), C(spec) and C(state) as the options of the same names.
      - Mutually exclusive with the single-object options O(kind), O(name), O(namespace),
        O(labels) and O(spec).
    type: list
    elements: dict
  purge:
    description:
      - A Kubernetes label selector (as C(kubectl -l), for example V(app.kubernetes.io/part-of=shop)).
        Objects of the kinds in O(purge_kinds) that carry the managed label
        C(hardened.eks/managed-by=calico_policy), match this selector and are not listed in
        the task are deleted, in every namespace.
      - Objects without the managed label are never deleted by purge. To purge every managed
        object, use V(hardened.eks/managed-by=calico_policy).
    type: str
  purge_kinds:
    description: Kinds that O(purge) considers.
    type: list
    elements: str
    choices: [NetworkPolicy, GlobalNetworkPolicy, NetworkSet, GlobalNetworkSet, Tier]
    default: [NetworkPolicy, GlobalNetworkPolicy, NetworkSet, GlobalNetworkSet, Tier]
  purge_labels:
    description:
      - When V(true), labels not given in O(labels) are removed from the object (except the
        managed label and Calico's own C(projectcalico.org/) labels). When V(false), the given
        labels are merged into the current ones.
    type: bool
    default: false
  api:
    description:
      - Which API to write to.
      - V(auto) asks discovery (C(GET /apis/projectcalico.org/v3)) and uses the Calico API
        server when it is there, else the C(crd.projectcalico.org/v1) CRDs.
      - Objects have the same shape on both; only C(apiVersion) differs.
    type: str
    choices: [auto, projectcalico.org/v3, crd.projectcalico.org/v1]
    default: auto
  validate_only:
    description:
      - Validate the objects offline (the same checks as always, of selectors, rules, ports, CIDRs,
        orders, names) and return them in RV(objects) as they would be written, without any
        connection to a cluster. For CI jobs that lint policy files, as C(calicoctl validate) does.
      - O(purge) is refused with it (what purge deletes depends on the cluster).
    type: bool
    default: false
  server_dry_run:
    description:
      - In check mode, send the writes that would happen with C(dryRun=All), so the API server's
        admission and schema checks (missing namespace, RBAC, CRD schema) run and the predicted
        objects include its defaults. Nothing is stored either way.
      - When V(false), check mode only reads.
    type: bool
    default: true
extends_documentation_fragment:
  - hardened.eks.attributes
  - kubernetes.core.k8s_auth_options
requirements:
  - kubernetes (the Python client)
notes:
  - Supports check mode and diff mode. The diff holds the labels and normalized spec of each
    object that changes, before and after.
  - Updates carry the read C(resourceVersion); a 409 Conflict is re-read and re-applied. Purge
    deletes carry the read C(uid) and C(resourceVersion) as preconditions, so an object that
    changed since it was read is judged again instead of deleted.
  - When a write fails, the other writes still run; the failure lists every failed object and
    returns what was created, updated and deleted.
  - On the C(crd.projectcalico.org/v1) path, an object written earlier by C(calicoctl) may carry a
    C(projectcalico.org/metadata) annotation whose labels Calico reads instead of the object's
    labels; this module keeps that annotation as it is.
seealso:
  - name: Calico policy reference
    description: The fields of Calico policies, network sets and tiers.
    link: https://docs.tigera.io/calico/latest/reference/resources/networkpolicy
  - name: Calico selectors
    description: The selector syntax that the module validates.
    link: https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors
"""

EXAMPLES = r"""
- name: Default deny (ingress and egress) for the shop namespace
  hardened.eks.calico_policy:
    kind: NetworkPolicy
    name: default-deny
    namespace: shop
    spec:
      order: 1000
      selector: all()
      types: [Ingress, Egress]

- name: Allow DNS to kube-dns from every pod of the shop namespace
  hardened.eks.calico_policy:
    kind: NetworkPolicy
    name: allow-dns
    namespace: shop
    spec:
      order: 100
      selector: all()
      types: [Egress]
      egress:
        - action: Allow
          protocol: UDP
          destination:
            namespaceSelector: projectcalico.org/name == 'kube-system'
            selector: k8s-app == 'kube-dns'
            ports: [53]
        - action: Allow
          protocol: TCP
          destination:
            namespaceSelector: projectcalico.org/name == 'kube-system'
            selector: k8s-app == 'kube-dns'
            ports: [53]

- name: A tier for platform guardrails, evaluated before the default tier
  hardened.eks.calico_policy:
    kind: Tier
    name: security
    spec:
      order: 100
      defaultAction: Pass

- name: Deny every pod the instance metadata service (then pass to the next tiers)
  hardened.eks.calico_policy:
    kind: GlobalNetworkPolicy
    name: security.deny-instance-metadata
    spec:
      tier: security
      order: 10
      namespaceSelector: has(projectcalico.org/name)
      types: [Egress]
      egress:
        - action: Deny
          destination:
            nets: [169.254.169.254/32]
        - action: Pass

- name: Partner networks as a GlobalNetworkSet
  hardened.eks.calico_policy:
    kind: GlobalNetworkSet
    name: partners
    labels:
      role: partner
    spec:
      nets:
        - 198.51.100.0/24
        - 203.0.113.16/28

- name: Let the partners reach the shop's API (global() selects global network sets)
  hardened.eks.calico_policy:
    kind: NetworkPolicy
    name: allow-partners
    namespace: shop
    spec:
      order: 200
      selector: app == 'api'
      types: [Ingress]
      ingress:
        - action: Allow
          protocol: TCP
          source:
            namespaceSelector: global()
            selector: role == 'partner'
          destination:
            ports: [443, "8443:8444"]

- name: Every application policy in one task; managed policies of the shop no longer listed are deleted
  hardened.eks.calico_policy:
    policies: "{{ shop_policies }}"
    purge: app.kubernetes.io/part-of=shop
    purge_kinds: [NetworkPolicy, NetworkSet]
  vars:
    shop_policies:
      - kind: NetworkPolicy
        name: web-allow
        namespace: shop
        labels:
          app.kubernetes.io/part-of: shop
        spec:
          selector: app == 'web'
          ingress:
            - action: Allow
              protocol: TCP
              source:
                selector: app in {'frontend', 'gateway'}
              destination:
                ports: [8080]
      - kind: NetworkPolicy
        name: old-rule
        namespace: shop
        state: absent

- name: Preview a change against the API server without storing anything
  hardened.eks.calico_policy:
    policies: "{{ shop_policies }}"
  check_mode: true
  diff: true
"""

RETURN = r"""
objects:
  description: With O(validate_only), the objects as they would be written (C(projectcalico.org/v3)
    form; the CRD path differs only in C(apiVersion)), with their normalized spec.
  returned: when O(validate_only=true)
  type: list
  elements: dict
  sample: [{"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny", "namespace": "shop", "labels": {"hardened.eks/managed-by": "calico_policy"}},
            "spec": {"selector": "all()", "types": ["Ingress", "Egress"]}}]
changed:
  description: Whether anything was (or, in check mode, would be) created, updated or deleted.
  returned: always
  type: bool
  sample: true
created:
  description: Objects created, as C(Kind namespace/name) (C(Kind name) for cluster-wide kinds).
  returned: success
  type: list
  elements: str
  sample: ["NetworkPolicy shop/allow-dns"]
updated:
  description: Objects updated (labels or spec differed).
  returned: success
  type: list
  elements: str
  sample: ["GlobalNetworkSet partners"]
deleted:
  description: Objects deleted (O(state=absent) or O(purge)).
  returned: success
  type: list
  elements: str
  sample: ["NetworkPolicy shop/old-rule"]
unchanged:
  description: Number of listed objects that were already as wanted.
  returned: success
  type: int
  sample: 498
api_version:
  description: The API written to (the answer of O(api=auto)).
  returned: success
  type: str
  sample: crd.projectcalico.org/v1
api_requests:
  description: Number of requests this run sent to the Kubernetes API server.
  returned: success
  type: int
  sample: 2
diff:
  description:
    - With diff mode, C(before) and C(after) map each changed object (C(Kind namespace/name))
      to its labels and normalized spec (null when absent).
  returned: when diff mode is on
  type: dict
  sample:
    before: {"NetworkPolicy shop/allow-dns": null}
    after: {"NetworkPolicy shop/allow-dns": {"labels": {"hardened.eks/managed-by": "calico_policy"},
                                             "spec": {"selector": "all()", "types": ["Egress"]}}}
problems:
  description: On a validation failure, every problem found, each naming the item and the field.
  returned: failure
  type: list
  sample: ["policies[2].spec.selector: unexpected end of input after 'app =='"]
  elements: str
failures:
  description: On a write failure, each object whose write failed, with the API server's answer.
  returned: failure
  type: list
  sample: []
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8S_AUTH_ARG_SPEC, K8sError, connect
from ansible_collections.hardened.eks.plugins.module_utils.calico_objects import (
    API_CHOICES,
    API_V3,
    CalicoApplyError,
    build_object,
    ensure_calico_objects,
)
from ansible_collections.hardened.eks.plugins.module_utils.calico_validate import (
    CalicoValidationError,
    normalize_spec,
    validate_params,
)

KIND_CHOICES = ["NetworkPolicy", "GlobalNetworkPolicy", "NetworkSet", "GlobalNetworkSet", "Tier"]


def argument_spec():
    spec = dict(
        kind=dict(type="str", choices=KIND_CHOICES),
        name=dict(type="str"),
        namespace=dict(type="str"),
        labels=dict(type="dict"),
        spec=dict(type="dict"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        policies=dict(type="list", elements="dict"),
        purge=dict(type="str"),
        purge_kinds=dict(type="list", elements="str", choices=KIND_CHOICES, default=list(KIND_CHOICES)),
        purge_labels=dict(type="bool", default=False),
        api=dict(type="str", default="auto", choices=list(API_CHOICES)),
        server_dry_run=dict(type="bool", default=True),
        validate_only=dict(type="bool", default=False),
    )
    spec.update(K8S_AUTH_ARG_SPEC)
    return spec


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        mutually_exclusive=[("policies", "kind"), ("policies", "name"), ("policies", "namespace"),
                            ("policies", "labels"), ("policies", "spec")],
        required_together=[("kind", "name")],
        required_one_of=[("name", "policies", "purge")],
    )
    p = module.params
    if p["validate_only"] and p["purge"]:
        module.fail_json(msg="purge: cannot be used with validate_only (what it deletes depends on the cluster)")
    try:
        desired, purge_reqs, purge_kinds = validate_params(p)
    except CalicoValidationError as e:
        module.fail_json(msg=str(e), problems=e.problems)
    if p["validate_only"]:
        objects = []
        for d in desired:
            if d.state == "present":
                obj = build_object(API_V3, d)
                obj["spec"] = normalize_spec(d.kind, obj["spec"])
                objects.append(obj)
        module.exit_json(changed=False, objects=objects)

    warnings = []
    try:
        api = connect(module)
        changed, result = ensure_calico_objects(
            api, desired, requested_api=p["api"], purge_reqs=purge_reqs,
            purge_kinds=purge_kinds if purge_reqs is not None else (), purge_labels=p["purge_labels"],
            check_mode=module.check_mode, server_dry_run=p["server_dry_run"], want_diff=module._diff,
            warnings=warnings)
    except CalicoValidationError as e:
        module.fail_json(msg=str(e), problems=e.problems)
    except CalicoApplyError as e:
        for w in warnings:
            module.warn(w)
        module.fail_json(msg=str(e), failures=e.failures, **e.result)
    except K8sError as e:
        module.fail_json(msg=str(e))

    for w in warnings:
        module.warn(w)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(changed=changed, **result)


if __name__ == "__main__":
    main()
