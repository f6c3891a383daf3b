"""Objects and writes that tests use to set up a cluster's state: ready or unready Pods, EndpointSlices,
Leases, workload status, and a write interleaved before a client's own.

The object builders return plain dicts; the writers take an `EmulatorClient` authenticated with the
admin token (`EmulatorClient(emulator.directory, emulator.port, emulator.credentials.admin_token)`)
and raise `AssertionError` with the Status when the emulator refuses the write.
"""

import datetime

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def micro_time(moment=None):
    """A `metav1.MicroTime` string (`2026-01-02T03:04:05.000000Z`), now when `moment` is None."""
    moment = moment or datetime.datetime.now(datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def pod_status(ready=True, ip="10.0.0.1"):
    """A Running Pod's status whose `Ready` condition is `ready` (True or False)."""
    flag = "True" if ready else "False"
    return {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
            "conditions": [{"type": "Ready", "status": flag}, {"type": "ContainersReady", "status": flag}]}


def pod(name, namespace, labels, ready=True, ip="10.0.0.1", containers=("app",)):
    """A Pod with `labels` and, as its status, `pod_status(ready, ip)`.

    The emulator stores the status a Pod is created with (a real server would reset it), so one
    `create` makes a ready or an unready Pod.
    """
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
            "spec": {"containers": [{"name": c, "image": f"example/{c}:1"} for c in containers]},
            "status": pod_status(ready, ip)}


def endpoint_slice(service, namespace, ready=(True,), port=8080, name=None, first_ip=1):
    """An EndpointSlice of `service` (label `kubernetes.io/service-name`): one IPv4 endpoint per entry
    of `ready` (True, False or None for an unknown readiness, which leaves `conditions.ready` out)."""
    endpoints = []
    for index, flag in enumerate(ready):
        conditions = {} if flag is None else {"ready": bool(flag), "serving": bool(flag), "terminating": False}
        endpoints.append({"addresses": [f"10.1.0.{first_ip + index}"], "conditions": conditions})
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": name or f"{service}-slice", "namespace": namespace,
                         "labels": {SERVICE_NAME_LABEL: service}},
            "addressType": "IPv4", "endpoints": endpoints,
            "ports": [{"name": "http", "port": port, "protocol": "TCP"}]}


def lease(name, namespace, holder, duration_seconds=60, acquired=None, renewed=None, transitions=0):
    """A `coordination.k8s.io/v1` Lease held by `holder` (times: datetimes, now when None)."""
    acquire_time = micro_time(acquired)
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"holderIdentity": holder, "leaseDurationSeconds": duration_seconds,
                     "acquireTime": acquire_time, "renewTime": micro_time(renewed) if renewed else acquire_time,
                     "leaseTransitions": transitions}}


def collection_path(obj):
    """The collection URL of an object: `/api/v1/namespaces/ns/pods`, `/apis/g/v/...`."""
    api_version, kind = obj["apiVersion"], obj["kind"]
    prefix = f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"
    plural = {"EndpointSlice": "endpointslices", "Lease": "leases", "Pod": "pods", "Deployment": "deployments",
              "StatefulSet": "statefulsets", "DaemonSet": "daemonsets", "Service": "services",
              "VirtualService": "virtualservices", "HTTPRoute": "httproutes"}.get(kind, kind.lower() + "s")
    namespace = obj["metadata"].get("namespace")
    return f"{prefix}/namespaces/{namespace}/{plural}" if namespace else f"{prefix}/{plural}"


def object_path(obj):
    """The URL of one object."""
    return f"{collection_path(obj)}/{obj['metadata']['name']}"


def _expect(status, body, allowed, action):
    if status not in allowed:
        raise AssertionError(f"{action} answered {status}: {body}")
    return body


def create(client, obj):
    """POSTs `obj` (status included, as given) and returns the stored object."""
    status, _, body = client.request("POST", collection_path(obj), obj)
    return _expect(status, body, (201,), f"create {object_path(obj)}")


def create_all(client, objects):
    """Creates every object in order; returns the stored objects."""
    return [create(client, obj) for obj in objects]


def set_status(client, obj, status):
    """Merge-patches `status` into the object's status through its /status subresource."""
    code, _, body = client.request("PATCH", object_path(obj) + "/status", {"status": status},
                                   "application/merge-patch+json")
    return _expect(code, body, (200,), f"patch {object_path(obj)}/status")


def set_pod_ready(client, namespace, name, ready, ip=None):
    """Makes an existing Pod ready or unready (its `Ready` condition) through pods/status."""
    target = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace}}
    code, _, live = client.request("GET", object_path(target))
    _expect(code, live, (200,), f"get {object_path(target)}")
    current_ip = ip or (live.get("status") or {}).get("podIP") or "10.0.0.1"
    return set_status(client, target, pod_status(ready, current_ip))


def set_workload_ready(client, api_version, kind, namespace, name, replicas, ready_replicas):
    """Sets a workload's `replicas`/`readyReplicas`/`availableReplicas` (Deployment, StatefulSet, ...)."""
    target = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": namespace}}
    return set_status(client, target, {"replicas": replicas, "readyReplicas": ready_replicas,
                                       "availableReplicas": ready_replicas, "updatedReplicas": replicas})


def interleave_next_write(client, obj_or_path, patch, field_manager="rival", methods=("PUT", "PATCH"), count=1):
    """Arms the emulator to apply the merge patch `patch` (as `field_manager`) to the object just
    before the next `count` matching writes to it: a deterministic "someone else wrote in between"."""
    path = obj_or_path if isinstance(obj_or_path, str) else object_path(obj_or_path)
    config = {"interleave": {"count": count, "methods": list(methods), "pathPrefix": path, "patch": patch,
                             "fieldManager": field_manager}}
    code, _, body = client.request("POST", "/_emulator/faults", config)
    return _expect(code, body, (200,), "configure the interleave fault")


def control_plane(provider, ready=(True,), namespace=None, version=None, revision="default"):
    """A mesh control plane: its Namespace, Deployment (istiod, or linkerd-destination) and one Pod
    per entry of `ready`, as `meshctl version` and `check` look for them."""
    if provider == "istio":
        namespace, name = namespace or "istio-system", "istiod"
        labels = {"app": "istiod", "istio.io/rev": revision}
        container = {"name": "discovery", "image": f"docker.io/istio/pilot:{version or '1.24.0'}"}
    else:
        namespace, name = namespace or "linkerd", "linkerd-destination"
        labels = {"linkerd.io/control-plane-component": "destination",
                  "linkerd.io/control-plane-version": version or "stable-2.14.10"}
        container = {"name": "destination", "image": "cr.l5d.io/linkerd/controller:stable-2.14.10"}
    selector = {"app": name}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": name, "namespace": namespace, "labels": labels},
                  "spec": {"selector": {"matchLabels": selector},
                           "template": {"metadata": {"labels": selector}, "spec": {"containers": [container]}}}}
    pods = [pod(f"{name}-{index}", namespace, selector, ready=flag, ip=f"10.9.0.{index + 1}")
            for index, flag in enumerate(ready)]
    return [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}, deployment, *pods]
