"""The few per-kind checks the emulator makes, where a client could send what a real API server refuses.

There are no schemas: only the fields a client of Leases and EndpointSlices most easily gets wrong
are checked, with the API server's messages.
"""

import re

from emulator_state import ApiError

# metav1.MicroTime is parsed with Go's layout "2006-01-02T15:04:05.000000Z07:00": exactly six
# fractional digits, then `Z` or an offset. `2026-01-02T03:04:05Z` is refused by a real server.
MICRO_TIME_LAYOUT = "2006-01-02T15:04:05.000000Z07:00"
_MICRO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$")
ADDRESS_TYPES = ("IPv4", "IPv6", "FQDN")


def _invalid(resource, name, causes):
    """422 Invalid listing every (field, reason, message) cause, in the API server's words."""
    group = f".{resource.group}" if resource.group else ""
    text = ", ".join(f"{field}: {message}" for field, _, message in causes)
    prefix = f'{resource.kind}{group} "{name}" is invalid: '
    if len(causes) > 1:
        text = "[" + text + "]"
    return ApiError(422, "Invalid", prefix + text,
                    {"name": name, "group": resource.group, "kind": resource.kind,
                     "causes": [{"reason": reason, "message": message, "field": field}
                                for field, reason, message in causes]})


def _undecodable(resource, message):
    """400 BadRequest for a body the API server cannot decode into the kind's Go type."""
    return ApiError(400, "BadRequest", f'{resource.kind} in version "{resource.version}" cannot be handled as a '
                    f"{resource.kind}: {message}")


def _check_lease(resource, obj):
    spec = obj.get("spec") or {}
    if not isinstance(spec, dict):
        raise _undecodable(resource, "spec must be an object")
    for key in ("acquireTime", "renewTime"):
        value = spec.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not _MICRO_TIME.match(value):
            raise _undecodable(resource, f'parsing time "{value}" as "{MICRO_TIME_LAYOUT}": the value is not a '
                               "MicroTime (six fractional digits are required)")
    causes = []
    for key in ("leaseDurationSeconds", "leaseTransitions"):
        value = spec.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise _undecodable(resource, f"json: cannot unmarshal {type(value).__name__} into Go struct field "
                               f"LeaseSpec.spec.{key} of type int32")
        if key == "leaseDurationSeconds" and value <= 0:
            causes.append((f"spec.{key}", "FieldValueInvalid", f"Invalid value: {value}: must be greater than 0"))
        if key == "leaseTransitions" and value < 0:
            causes.append((f"spec.{key}", "FieldValueInvalid",
                           f"Invalid value: {value}: must be greater than or equal to 0"))
    if causes:
        raise _invalid(resource, obj["metadata"].get("name", ""), causes)


def _check_endpoint_slice(resource, obj):
    causes = []
    address_type = obj.get("addressType")
    if not address_type:
        causes.append(("addressType", "FieldValueRequired", "Required value"))
    elif address_type not in ADDRESS_TYPES:
        supported = ", ".join(f'"{t}"' for t in ADDRESS_TYPES)
        causes.append(("addressType", "FieldValueNotSupported",
                       f'Unsupported value: "{address_type}": supported values: {supported}'))
    endpoints = obj.get("endpoints") or []
    if not isinstance(endpoints, list):
        raise _undecodable(resource, "endpoints must be a list")
    for index, endpoint in enumerate(endpoints):
        addresses = (endpoint or {}).get("addresses") or []
        if not 1 <= len(addresses) <= 100:
            causes.append((f"endpoints[{index}].addresses", "FieldValueRequired",
                           "Required value: must contain at least 1 address" if not addresses
                           else "Too many: must have at most 100 items"))
    if causes:
        raise _invalid(resource, obj["metadata"].get("name", ""), causes)


_CHECKS = {
    ("coordination.k8s.io", "leases"): _check_lease,
    ("discovery.k8s.io", "endpointslices"): _check_endpoint_slice,
}


def check_object(resource, obj):
    """Raises the API server's ApiError when `obj` (about to be stored) breaks a rule of its kind."""
    check = _CHECKS.get((resource.group, resource.plural))
    if check is not None:
        check(resource, obj)
