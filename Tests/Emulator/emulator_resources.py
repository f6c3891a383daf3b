"""The API groups, versions and resources the emulator serves, and their discovery documents.

Only the legacy (unaggregated) discovery format is served: kubectl asks for the aggregated
`apidiscovery.k8s.io/v2` format first but accepts `application/json` answers in the legacy shape.
"""

from dataclasses import dataclass, field

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


@dataclass(frozen=True)
class Resource:
    """One resource type: where it lives, what it is called and whether it is namespaced."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple = ()
    verbs: tuple = tuple(ALL_VERBS)
    status_subresource: bool = False

    @property
    def custom(self):
        """True for the resources of the switchable mesh groups, which a real cluster serves from CRDs."""
        return any(self in resources for resources in OPTIONAL_GROUPS.values())

    @property
    def group_version(self):
        """`apps/v1`, or `v1` for the core group."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self):
        """`deployments.apps`, or `services` for the core group (the form in Status messages)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def discovery_entry(self):
        """The APIResource entry of an APIResourceList."""
        entry = {
            "name": self.plural,
            "singularName": self.kind.lower(),
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": list(self.verbs),
        }
        if self.short_names:
            entry["shortNames"] = list(self.short_names)
        return entry

    def status_discovery_entry(self):
        """The APIResource entry of the `<plural>/status` subresource."""
        return {"name": f"{self.plural}/status", "singularName": "", "namespaced": self.namespaced,
                "kind": self.kind, "verbs": ["get", "patch", "update"]}


def _r(group, version, plural, kind, namespaced=True, short=(), verbs=tuple(ALL_VERBS), status=False):
    return Resource(group, version, plural, kind, namespaced, tuple(short), tuple(verbs), status)


# The switchable mesh groups, by the key used in `--groups` and the admin endpoint.
OPTIONAL_GROUPS = {
    "istio": [
        _r("networking.istio.io", "v1", "virtualservices", "VirtualService", short=("vs",), status=True),
        _r("networking.istio.io", "v1", "destinationrules", "DestinationRule", short=("dr",), status=True),
        _r("security.istio.io", "v1", "peerauthentications", "PeerAuthentication", short=("pa",), status=True),
    ],
    "gateway": [
        _r("gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute", status=True),
        _r("gateway.networking.k8s.io", "v1", "gateways", "Gateway", short=("gtw",), status=True),
    ],
    "linkerd": [
        _r("policy.linkerd.io", "v1beta3", "servers", "Server", short=("srv",)),
        _r("policy.linkerd.io", "v1alpha1", "authorizationpolicies", "AuthorizationPolicy"),
        _r("policy.linkerd.io", "v1alpha1", "meshtlsauthentications", "MeshTLSAuthentication"),
    ],
}

BUILTIN_RESOURCES = [
    _r("", "v1", "namespaces", "Namespace", namespaced=False, short=("ns",)),
    _r("", "v1", "services", "Service", short=("svc",), status=True),
    _r("", "v1", "configmaps", "ConfigMap", short=("cm",)),
    _r("", "v1", "serviceaccounts", "ServiceAccount", short=("sa",)),
    _r("", "v1", "secrets", "Secret"),
    _r("", "v1", "pods", "Pod", short=("po",), status=True),
    _r("apps", "v1", "deployments", "Deployment", short=("deploy",), status=True),
    _r("apps", "v1", "statefulsets", "StatefulSet", short=("sts",), status=True),
    _r("apps", "v1", "daemonsets", "DaemonSet", short=("ds",), status=True),
    _r("apps", "v1", "replicasets", "ReplicaSet", short=("rs",), status=True),
    _r("batch", "v1", "jobs", "Job", status=True),
    _r("batch", "v1", "cronjobs", "CronJob", short=("cj",), status=True),
    _r("coordination.k8s.io", "v1", "leases", "Lease"),
    _r("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice"),
    _r("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
       namespaced=False, short=("crd", "crds")),
    _r("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview",
       namespaced=False, verbs=("create",)),
]

# The preferred version of each group that has more than one.
PREFERRED_VERSION = {"policy.linkerd.io": "v1beta3"}


@dataclass
class Catalog:
    """The resources one emulator instance serves now; the mesh groups can be switched on and off."""

    enabled_groups: set = field(default_factory=set)

    def resources(self):
        """Every resource currently served, built-in first."""
        served = list(BUILTIN_RESOURCES)
        for key in sorted(self.enabled_groups):
            served.extend(OPTIONAL_GROUPS[key])
        return served

    def find(self, group, version, plural):
        """The served resource at `group/version/plural`, or None."""
        for resource in self.resources():
            if (resource.group, resource.version, resource.plural) == (group, version, plural):
                return resource
        return None

    def find_kind(self, group_version, kind):
        """The served resource for an object's `apiVersion` and `kind`, or None."""
        for resource in self.resources():
            if resource.group_version == group_version and resource.kind == kind:
                return resource
        return None

    def group_versions(self, group):
        """The versions served for `group`, preferred first."""
        versions = []
        for resource in self.resources():
            if resource.group == group and resource.version not in versions:
                versions.append(resource.version)
        preferred = PREFERRED_VERSION.get(group)
        if preferred in versions:
            versions.remove(preferred)
            versions.insert(0, preferred)
        return versions

    def named_groups(self):
        """The non-core groups served, in first-seen order."""
        groups = []
        for resource in self.resources():
            if resource.group and resource.group not in groups:
                groups.append(resource.group)
        return groups

    def api_versions(self, server_address):
        """The `/api` document (APIVersions)."""
        return {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
        }

    def api_group_list(self):
        """The `/apis` document (APIGroupList)."""
        groups = []
        for group in self.named_groups():
            versions = [{"groupVersion": f"{group}/{v}", "version": v} for v in self.group_versions(group)]
            groups.append({"name": group, "versions": versions, "preferredVersion": versions[0]})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def api_group(self, group):
        """The `/apis/<group>` document (APIGroup), or None when the group is not served."""
        for entry in self.api_group_list()["groups"]:
            if entry["name"] == group:
                return dict(entry, kind="APIGroup", apiVersion="v1")
        return None

    def resource_list(self, group, version):
        """The `/api/v1` or `/apis/<group>/<version>` document (APIResourceList), or None."""
        entries = []
        for resource in self.resources():
            if (resource.group, resource.version) == (group, version):
                entries.append(resource.discovery_entry())
                if resource.status_subresource:
                    entries.append(resource.status_discovery_entry())
        if not entries:
            return None
        group_version = f"{group}/{version}" if group else version
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": entries}

    def openapi_v3_index(self):
        """The `/openapi/v3` index: one path per served group version."""
        paths = {}
        for resource in self.resources():
            key = f"apis/{resource.group}/{resource.version}" if resource.group else "api/v1"
            paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash=emulator"}
        return {"paths": paths}

    def openapi_v3_document(self, group, version):
        """A minimal OpenAPI v3 document for one group version.

        It only declares, per kind, a PATCH operation with the `fieldValidation` query parameter
        and the `x-kubernetes-group-version-kind` extension: that is what kubectl checks before it
        leaves field validation to the server instead of validating against a full schema.
        """
        paths = {}
        for resource in self.resources():
            if (resource.group, resource.version) != (group, version):
                continue
            prefix = f"/apis/{group}/{version}" if group else "/api/v1"
            scope = "/namespaces/{namespace}" if resource.namespaced else ""
            gvk = {"group": group, "version": version, "kind": resource.kind}
            parameters = [{"name": name, "in": "query", "schema": {"type": "string"}}
                          for name in ("dryRun", "fieldManager", "fieldValidation", "force")]
            paths[f"{prefix}{scope}/{resource.plural}/{{name}}"] = {
                "patch": {
                    "operationId": f"patch{resource.kind}",
                    "parameters": parameters,
                    "responses": {"200": {"description": "OK"}},
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": gvk,
                }
            }
        if not paths:
            return None
        return {"openapi": "3.0.0", "info": {"title": "Kubernetes emulator", "version": "v1.32.0"}, "paths": paths}
