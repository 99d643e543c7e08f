# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS layer's shared parts, in the shape of amazon.aws ``module_utils/_autoscaling/``.

- error handlers built on amazon.aws ``AWSErrorHandler``: every botocore error becomes an
  ``AnsibleAWSError`` whose message says what was being done, with the call's own arguments
  (``"describe cluster {name}"`` -> ``Failed to describe cluster prod``); a missing resource
  reads as ``None`` (``list_error_handler``) or ``False`` (``deletion_error_handler``);
- clients that retry with jittered backoff, and ``call`` for a planned call of a module;
- the clock the waits use (tests replace it).

Only the modules' ``main()`` turn the errors into ``fail_json_aws``.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import inspect
import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# What endpoints answer for an operation they do not implement (an emulator, an old region).
_UNSUPPORTED_CODES = ("UnknownOperationException", "NotImplemented", "InvalidAction")


def _describe(description, func, args, kwargs):
    """``description`` with ``{argument}`` fields filled from the call."""
    if "{" not in description:
        return description
    try:
        bound = inspect.signature(func).bind_partial(*args, **kwargs).arguments
        return description.format(**bound)
    except (KeyError, IndexError, TypeError, ValueError):
        return description


class ErrorHandler(AWSErrorHandler):
    """amazon.aws's handler, with the call's arguments in the message."""

    _MISSING = object()

    @classmethod
    def _handle(cls, description, missing=_MISSING):
        def wrapper(func):
            @functools.wraps(func)
            def handler(*args, **kwargs):
                try:
                    try:
                        return func(*args, **kwargs)
                    except cls._is_missing():
                        if missing is cls._MISSING:
                            raise
                        return missing
                except botocore.exceptions.WaiterError as e:
                    raise cls._CUSTOM_EXCEPTION(message="Timeout trying to %s" % _describe(description, func, args, kwargs),
                                                exception=e) from e
                except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                    raise cls._CUSTOM_EXCEPTION(message="Failed to %s" % _describe(description, func, args, kwargs),
                                                exception=e) from e

            return handler

        return wrapper

    @classmethod
    def common_error_handler(cls, description):
        """Every botocore error raises ``AnsibleAWSError('Failed to <description>')``."""
        return cls._handle(description)

    @classmethod
    def list_error_handler(cls, description, default_value=None):
        """As ``common_error_handler``; a missing resource returns ``default_value``."""
        return cls._handle(description, default_value)

    @classmethod
    def deletion_error_handler(cls, description):
        """As ``common_error_handler``; a resource already gone returns False."""
        return cls._handle(description, False)


class EksErrorHandler(ErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


class IamErrorHandler(ErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NoSuchEntity")


class KmsErrorHandler(ErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


class LaunchTemplateErrorHandler(ErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["InvalidLaunchTemplateId.NotFound", "InvalidLaunchTemplateName.NotFoundException",
                                    "InvalidLaunchTemplateId.VersionNotFound"])


def retry():
    """The retry policy of every call: amazon.aws's jittered backoff (10 tries on throttling and
    transient errors), on top of botocore's own retries."""
    return AWSRetry.jittered_backoff()


def aws_client(module, service):
    """A client whose calls retry throttling and transient errors with jittered backoff when
    called with ``aws_retry=True``."""
    return module.client(service, retry_decorator=retry())


def call(client, operation, what, **params):
    """``client.<operation>(**params)`` with retries; a failure names ``what`` was being done."""
    try:
        return getattr(client, operation)(aws_retry=True, **params)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        raise AnsibleAWSError(message="Failed to %s" % what, exception=e)


def error_code(error):
    """The AWS error code of an AnsibleAWSError (or botocore ClientError); None otherwise."""
    exc = getattr(error, "exception", error)
    response = getattr(exc, "response", None) or {}
    return (response.get("Error") or {}).get("Code")


def unsupported(error):
    """True when the endpoint does not implement the operation (an emulator, an old region)."""
    exc = getattr(error, "exception", error)
    if not isinstance(exc, botocore.exceptions.ClientError):
        return False
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = exc.response.get("Error", {}).get("Code")
    return status == 404 and code in ("404", "NotFound", "UnknownOperationException") or code in _UNSUPPORTED_CODES


def paginate(client, operation, key, **params):
    """Every item of ``key`` over all pages of ``operation`` (botocore's paginator)."""
    return client.get_paginator(operation).paginate(**params).build_full_result().get(key) or []


class Clock(object):
    """Time source for waits (tests replace it to run without sleeping)."""

    def __init__(self, sleep=time.sleep, now=time.monotonic):
        self.sleep = sleep
        self.now = now


def fail_aws(module, error):
    """A module's failure for an ``AnsibleAWSError`` (``fail_json_aws`` when botocore's error is
    known, so the AWS error code and request id are in the result). For ``main()`` only."""
    if error.exception is not None:
        module.fail_json_aws(error.exception, msg=error.message, **error.kwargs)
    module.fail_json(msg=error.message, **error.kwargs)


def exit_with(module, changed, result, diff, warnings, **extra):
    """A module's exit: its warnings, its result (plus ``extra``), the diff when asked for."""
    for w in warnings:
        module.warn(w)
    out = dict(result)
    out.update(extra)
    if module._diff:
        out["diff"] = diff
    module.exit_json(changed=changed, **out)
