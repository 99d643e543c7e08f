# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""KMS reads of the EKS layer."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._aws.common import KmsErrorHandler
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import retry


@KmsErrorHandler.list_error_handler("describe KMS key {key_id}")
@retry()
def describe_key(client, key_id):
    """DescribeKey's ``KeyMetadata`` (KeyManager, KeyState, ...) or None when the key is gone."""
    return client.describe_key(KeyId=key_id)["KeyMetadata"]
