# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EC2 reads of the EKS layer."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._aws.common import LaunchTemplateErrorHandler
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import retry


@LaunchTemplateErrorHandler.list_error_handler("read launch template {launch_template}")
@retry()
def launch_template_version(client, launch_template):
    """The launch template version a node group uses (its ``launchTemplate``: id or name and
    version, ``$Default`` when none) or None when it is gone."""
    params = {"Versions": [str(launch_template.get("version") or "$Default")]}
    if launch_template.get("id"):
        params["LaunchTemplateId"] = launch_template["id"]
    else:
        params["LaunchTemplateName"] = launch_template.get("name")
    versions = client.describe_launch_template_versions(**params)["LaunchTemplateVersions"]
    return versions[0] if versions else None
