"""`meshctl mtls status` and `meshctl mtls enable` against the emulator, with Istio's API groups and
then with Linkerd's: what the real kubectl reads back is what meshctl wrote and reports, and the
emulator's statistics show that a refused STRICT sent nothing."""

import json
import unittest

from test_meshctl_cluster import BUILT, MESHCTL, MeshctlTestCase

NAMESPACE = """apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
"""

WORKLOAD = """apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}
  namespace: {ns}
spec:
{extra}  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
{labels}{annotations}    spec:
      containers:
      - name: {name}
        image: nginx:1.27
        ports:
        - containerPort: {port}
{proxy}"""


def workload(name, ns="shop", kind="Deployment", port=8080, proxy=None, labels=None, annotations=None):
    """A workload with one container on `port`; `proxy` adds a sidecar container of that name."""
    def block(title, entries):
        if not entries:
            return ""
        return f"      {title}:\n" + "".join(f'        {k}: "{v}"\n' for k, v in entries.items())
    # The proxy declares its own ports, as injected proxies do: they must not become Servers.
    proxy_ports = {"istio-proxy": [15090], "linkerd-proxy": [4143, 4191]}.get(proxy, [])
    sidecar = (f"      - name: {proxy}\n        image: proxy:1\n        ports:\n"
               + "".join(f"        - containerPort: {p}\n" for p in proxy_ports)) if proxy else ""
    extra = "  serviceName: {name}\n".format(name=name) if kind == "StatefulSet" else ""
    return WORKLOAD.format(kind=kind, name=name, ns=ns, port=port, proxy=sidecar, extra=extra,
                           labels="".join(block("labels", labels).splitlines(True)[1:]) if labels else "",
                           annotations=block("annotations", annotations))


def service(name, ns="shop", port=8080):
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n"
            f"  selector:\n    app: {name}\n  ports:\n  - port: 80\n    targetPort: {port}\n")


class MTLSTestCase(MeshctlTestCase):
    """Helpers shared by the Istio and Linkerd cases."""

    def cluster(self, *documents):
        """Creates the documents with kubectl (server-side), as a user's cluster would hold them."""
        path = self.write("cluster.yaml", "---\n".join(documents))
        self.kubectl_ok("apply", "--server-side", "-f", path)

    def status(self, *arguments):
        """`mtls status -o json`, its rows by workload reference."""
        result = self.meshctl("mtls", "status", "-o", "json", *arguments)
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        return report, {f"{w['kind'].lower()}/{w['name']}": w for w in report["workloads"]}

    def items(self, resource, ns="shop"):
        return self.get_json(resource, "-n", ns)["items"]


@unittest.skipUnless(BUILT, f"{MESHCTL} is not built (swift build --product meshctl)")
class IstioMTLS(MTLSTestCase):
    groups = ("istio",)

    def shop(self, with_unmeshed=True):
        documents = [NAMESPACE.format(ns="shop"),
                     workload("web", proxy="istio-proxy"),
                     workload("api", labels={"sidecar.istio.io/inject": "true"}),
                     service("web")]
        if with_unmeshed:
            documents.append(workload("legacy", kind="StatefulSet", port=5432))
        self.cluster(*documents)

    def test_status_table_reports_sidecars_and_the_mesh_default(self):
        self.shop()
        result = self.meshctl("mtls", "status", "-n", "shop")
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["NAMESPACE", "WORKLOAD", "MODE", "SOURCE", "SIDECAR"])
        rows = {line.split()[1]: line for line in lines[1:]}
        self.assertEqual(sorted(rows), ["deployment/api", "deployment/web", "statefulset/legacy"])
        self.assertRegex(rows["deployment/web"], r"^shop\s+deployment/web\s+PERMISSIVE\s+mesh default\s+yes \(injected\)$")
        self.assertRegex(rows["deployment/api"], r"PERMISSIVE\s+mesh default\s+yes \(webhook\)$")
        self.assertRegex(rows["statefulset/legacy"], r"PERMISSIVE\s+mesh default\s+no$")
        report, by_name = self.status("-n", "shop")
        self.assertEqual(report["provider"], "istio")
        self.assertEqual(by_name["statefulset/legacy"]["sidecar"], "none")
        self.assertFalse(by_name["statefulset/legacy"]["meshed"])

    def test_namespace_injection_label_counts_as_a_sidecar(self):
        self.cluster("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: labelled\n  labels:\n"
                     "    istio-injection: enabled\n",
                     workload("plain", ns="labelled"),
                     workload("optout", ns="labelled", labels={"sidecar.istio.io/inject": "false"}))
        _, by_name = self.status("-n", "labelled")
        self.assertEqual(by_name["deployment/plain"]["sidecar"], "webhook")
        self.assertEqual(by_name["deployment/optout"]["sidecar"], "none")

    def test_webhook_workloads_whose_pods_lack_the_proxy_need_a_restart(self):
        pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}-1\n  namespace: labelled\n  labels:\n"
               "    app: {name}\n  ownerReferences:\n  - apiVersion: apps/v1\n    kind: ReplicaSet\n"
               "    name: {name}-1\n    uid: 00000000-0000-0000-0000-000000000001\n"
               "spec:\n  containers:\n{containers}")
        self.cluster("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: labelled\n  labels:\n"
                     "    istio-injection: enabled\n",
                     workload("stale", ns="labelled"), workload("fresh", ns="labelled"),
                     pod.format(name="stale", containers="  - name: stale\n    image: nginx:1.27\n"),
                     pod.format(name="fresh", containers="  - name: fresh\n    image: nginx:1.27\n"
                                                         "  - name: istio-proxy\n    image: proxy:1\n"))
        _, by_name = self.status("-n", "labelled")
        # Owned pods are not rows of their own.
        self.assertEqual(sorted(by_name), ["deployment/fresh", "deployment/stale"])
        self.assertEqual(by_name["deployment/fresh"]["sidecar"], "webhook")
        self.assertEqual(by_name["deployment/stale"]["sidecar"], "restart-needed")
        self.assertIn("no (webhook; restart pods)", self.meshctl("mtls", "status", "-n", "labelled").stdout)
        refused = self.meshctl("mtls", "enable", "--mode", "STRICT", "-n", "labelled")
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn("  deployment/stale\n", refused.stderr)
        self.assertNotIn("deployment/fresh", refused.stderr)

    def test_strict_is_refused_listing_the_unmeshed_workload_and_nothing_is_written(self):
        self.shop()
        self.admin.request("DELETE", "/_emulator/stats")
        result = self.meshctl("mtls", "enable", "--mode", "STRICT", "-n", "shop")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("refusing STRICT mTLS: 1 workload in scope in namespace shop has no istio-proxy sidecar",
                      result.stderr)
        self.assertIn("  statefulset/legacy\n", result.stderr)
        self.assertNotIn("deployment/web", result.stderr)
        self.assertIn("--mode PERMISSIVE -n shop", result.stderr)
        self.assertIn("--force", result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertEqual([m for m in ("PATCH", "POST", "PUT", "DELETE") if self.writes(m)], [])
        self.assertEqual(self.items("peerauthentications"), [])

    def test_permissive_then_forced_strict_and_kubectl_reads_back_what_status_reports(self):
        self.shop()
        permissive = self.meshctl("mtls", "enable", "--mode", "PERMISSIVE", "-n", "shop")
        self.assertEqual(permissive.returncode, 0, permissive.stderr)
        self.assertEqual(permissive.stdout, "peerauthentication.security.istio.io/default serverside-applied\n")
        stored = self.get_json("peerauthentication", "default", "-n", "shop")
        self.assertEqual(stored["spec"], {"mtls": {"mode": "PERMISSIVE"}})
        self.assertEqual(stored["metadata"]["labels"]["app.kubernetes.io/managed-by"], "meshctl")
        self.assertEqual(stored["metadata"]["annotations"]["meshctl.io/source"], "MTLSPolicy/shop/default")
        _, by_name = self.status("-n", "shop")
        for row in by_name.values():
            self.assertEqual(row["mode"], stored["spec"]["mtls"]["mode"])
            self.assertEqual(row["source"]["text"], "MTLSPolicy shop/default")
            self.assertEqual(row["source"]["object"], "PeerAuthentication shop/default")
            self.assertTrue(row["source"]["managed"])

        forced = self.meshctl("mtls", "enable", "--mode", "strict", "-n", "shop", "--force")
        self.assertEqual(forced.returncode, 0, forced.stderr)
        self.assertIn("Warning: --force: STRICT while these have no sidecar: statefulset/legacy", forced.stderr)
        stored = self.get_json("peerauthentication", "default", "-n", "shop")
        self.assertEqual(stored["spec"]["mtls"]["mode"], "STRICT")
        table = self.meshctl("mtls", "status", "-n", "shop").stdout
        self.assertRegex(table, r"deployment/web\s+STRICT\s+MTLSPolicy shop/default\s+yes \(injected\)")
        self.assertRegex(table, r"statefulset/legacy\s+STRICT\s+MTLSPolicy shop/default\s+no")

    def test_strict_without_unmeshed_workloads_is_applied(self):
        self.shop(with_unmeshed=False)
        result = self.meshctl("mtls", "enable", "--mode", "STRICT", "-n", "shop")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.get_json("peerauthentication", "default", "-n", "shop")["spec"]["mtls"]["mode"], "STRICT")

    def test_selector_policy_covers_only_the_selected_workload(self):
        self.shop()
        # legacy has no sidecar, but the selector leaves it out of scope: STRICT is safe.
        result = self.meshctl("mtls", "enable", "--mode", "STRICT", "-n", "shop", "--selector", "app=web")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "peerauthentication.security.istio.io/app-web serverside-applied\n")
        stored = self.get_json("peerauthentication", "app-web", "-n", "shop")
        self.assertEqual(stored["spec"]["selector"], {"matchLabels": {"app": "web"}})
        _, by_name = self.status("-n", "shop")
        self.assertEqual((by_name["deployment/web"]["mode"], by_name["deployment/web"]["source"]["text"]),
                         ("STRICT", "MTLSPolicy shop/app-web"))
        self.assertEqual((by_name["statefulset/legacy"]["mode"], by_name["statefulset/legacy"]["source"]["text"]),
                         ("PERMISSIVE", "mesh default"))
        refused = self.meshctl("mtls", "enable", "--mode", "STRICT", "-n", "shop", "--selector", "app=legacy")
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn("statefulset/legacy", refused.stderr)

    def test_precedence_of_mesh_wide_namespace_and_workload_policies_with_port_overrides(self):
        self.shop()
        pa = ("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: {name}\n"
              "  namespace: {ns}\nspec:\n{spec}")
        self.cluster(NAMESPACE.format(ns="istio-system"),
                     pa.format(name="default", ns="istio-system", spec="  mtls:\n    mode: STRICT\n"),
                     pa.format(name="web-ports", ns="shop",
                               spec="  selector:\n    matchLabels:\n      app: web\n  mtls:\n    mode: UNSET\n"
                                    "  portLevelMtls:\n    '9090':\n      mode: PERMISSIVE\n"))
        _, by_name = self.status("-n", "shop")
        # UNSET inherits: no namespace policy, so the mesh-wide one decides; the port stays PERMISSIVE.
        web = by_name["deployment/web"]
        self.assertEqual((web["mode"], web["source"]["text"]), ("STRICT", "PeerAuthentication istio-system/default"))
        self.assertFalse(web["source"]["managed"])
        self.assertEqual([(p["port"], p["mode"]) for p in web["ports"]], [(9090, "PERMISSIVE")])
        self.assertEqual(by_name["deployment/api"]["ports"], [])
        table = self.meshctl("mtls", "status", "-n", "shop").stdout
        self.assertIn("STRICT (port 9090: PERMISSIVE)", table)
        # A namespace-wide policy beats the mesh-wide one.
        self.assertEqual(self.meshctl("mtls", "enable", "--mode", "PERMISSIVE", "-n", "shop").returncode, 0)
        _, by_name = self.status("-n", "shop")
        self.assertEqual((by_name["deployment/api"]["mode"], by_name["deployment/api"]["source"]["text"]),
                         ("PERMISSIVE", "MTLSPolicy shop/default"))

    def test_strict_in_the_root_namespace_is_mesh_wide_and_checks_every_namespace(self):
        self.shop()
        self.cluster(NAMESPACE.format(ns="istio-system"))
        result = self.meshctl("mtls", "enable", "--mode", "STRICT", "-n", "istio-system")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("in scope in the mesh (istio-system is Istio's root namespace) has no istio-proxy sidecar",
                      result.stderr)
        self.assertIn("  statefulset/legacy\n", result.stderr)
        self.assertEqual(self.items("peerauthentications", ns="istio-system"), [])

    def test_a_forbidden_root_namespace_is_a_warning_not_a_failure(self):
        self.shop()
        self.admin.request("POST", "/_emulator/rbac", {"deny": [
            {"user": "alice", "verb": "list", "resource": "peerauthentications", "namespace": "istio-system"}]})
        result = self.meshctl("mtls", "status", "-n", "shop", "--context", "emulator-alice")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("Warning: cannot list PeerAuthentications in istio-system (forbidden)", result.stderr)
        self.assertIn("deployment/web", result.stdout)
        # Anything else forbidden is a cluster failure.
        self.admin.request("POST", "/_emulator/rbac", {"deny": [{"user": "alice", "verb": "list", "resource": "pods"}]})
        denied = self.meshctl("mtls", "status", "-n", "shop", "--context", "emulator-alice")
        self.assertEqual(denied.returncode, 3, denied.stderr)
        self.assertIn('cannot list pods in namespace "shop"', denied.stderr)

    def test_all_namespaces_and_yaml(self):
        self.shop()
        self.cluster(NAMESPACE.format(ns="other"), workload("solo", ns="other", proxy="istio-proxy"))
        report, by_name = self.status("-A")
        self.assertEqual(sorted({w["namespace"] for w in report["workloads"]}), ["other", "shop"])
        self.assertEqual(by_name["deployment/solo"]["sidecar"], "injected")
        as_yaml = self.meshctl("mtls", "status", "-A", "-o", "yaml")
        self.assertEqual(as_yaml.returncode, 0, as_yaml.stderr)
        self.assertIn("provider: istio", as_yaml.stdout)

    def test_server_dry_run_persists_nothing(self):
        self.shop()
        self.admin.request("DELETE", "/_emulator/stats")
        result = self.meshctl("mtls", "enable", "--mode", "PERMISSIVE", "-n", "shop", "--dry-run=server")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("(server dry run)", result.stdout)
        self.assertEqual([p.split("?")[0] for p, _ in self.writes()],
                         ["/apis/security.istio.io/v1/namespaces/shop/peerauthentications/default"])
        self.assertTrue(all("dryRun=All" in p for p, _ in self.writes()), self.writes())
        self.assertEqual(self.items("peerauthentications"), [])

    def test_no_mesh_is_exit_3_and_bad_flags_are_exit_64(self):
        self.admin.request("POST", "/_emulator/groups", {"enabled": []})
        try:
            status = self.meshctl("mtls", "status")
            self.assertEqual(status.returncode, 3, status.stderr)
            self.assertIn("runs no mesh", status.stderr)
            forced = self.meshctl("mtls", "enable", "--mode", "STRICT", "--provider", "linkerd")
            self.assertEqual(forced.returncode, 3, forced.stderr)
            self.assertIn("serves no Linkerd API", forced.stderr)
        finally:
            self.admin.request("POST", "/_emulator/groups", {"enabled": ["istio"]})
        self.assertEqual(self.meshctl("mtls", "enable", "--mode", "LOOSE").returncode, 64)
        self.assertEqual(self.meshctl("mtls", "enable", "--mode", "STRICT", "--selector", "app").returncode, 64)
        bad_value = self.meshctl("mtls", "enable", "--mode", "STRICT", "--selector", "app=no spaces")
        self.assertEqual(bad_value.returncode, 64, bad_value.stderr)


@unittest.skipUnless(BUILT, f"{MESHCTL} is not built (swift build --product meshctl)")
class LinkerdMTLS(MTLSTestCase):
    groups = ("linkerd",)

    def shop(self):
        self.cluster(NAMESPACE.format(ns="shop"),
                     workload("web", proxy="linkerd-proxy"),
                     workload("api", annotations={"linkerd.io/inject": "enabled"}, port=9000),
                     workload("legacy", port=5432),
                     service("web"))

    def test_namespace_wide_permissive_annotates_the_namespace(self):
        self.shop()
        before, by_name = self.status("-n", "shop")
        self.assertEqual(before["provider"], "linkerd")
        self.assertEqual({name: row["sidecar"] for name, row in by_name.items()},
                         {"deployment/web": "injected", "deployment/api": "webhook", "deployment/legacy": "none"})
        self.assertEqual({row["source"]["text"] for row in by_name.values()}, {"mesh default"})
        result = self.meshctl("mtls", "enable", "--mode", "PERMISSIVE", "-n", "shop")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "namespace/shop serverside-applied\n")
        annotations = self.get_json("namespace", "shop")["metadata"]["annotations"]
        self.assertEqual(annotations["config.linkerd.io/default-inbound-policy"], "all-unauthenticated")
        _, by_name = self.status("-n", "shop")
        self.assertEqual({(row["mode"], row["source"]["text"]) for row in by_name.values()},
                         {("PERMISSIVE", "MTLSPolicy shop/default")})

    def test_strict_is_refused_then_forced(self):
        self.shop()
        self.admin.request("DELETE", "/_emulator/stats")
        refused = self.meshctl("mtls", "enable", "--mode", "STRICT", "-n", "shop")
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn("has no linkerd-proxy sidecar", refused.stderr)
        self.assertIn("  deployment/legacy\n", refused.stderr)
        self.assertEqual(self.writes(), [])
        self.assertNotIn("annotations", self.get_json("namespace", "shop")["metadata"])
        forced = self.meshctl("mtls", "enable", "--mode", "STRICT", "-n", "shop", "--force")
        self.assertEqual(forced.returncode, 0, forced.stderr)
        annotations = self.get_json("namespace", "shop")["metadata"]["annotations"]
        self.assertEqual(annotations["config.linkerd.io/default-inbound-policy"], "all-authenticated")
        _, by_name = self.status("-n", "shop")
        self.assertEqual(by_name["deployment/web"]["mode"], "STRICT")
        self.assertEqual(by_name["deployment/web"]["source"]["object"], "Namespace shop")

    def test_selector_policy_writes_server_authorization_and_identities(self):
        self.shop()
        result = self.meshctl("mtls", "enable", "--mode", "STRICT", "-n", "shop", "--selector", "app=web")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(sorted(result.stdout.splitlines()), [
            "authorizationpolicy.policy.linkerd.io/app-web-8080 serverside-applied",
            "meshtlsauthentication.policy.linkerd.io/app-web serverside-applied",
            "server.policy.linkerd.io/app-web-8080 serverside-applied",
        ])
        server = self.get_json("servers.policy.linkerd.io", "app-web-8080", "-n", "shop")
        self.assertEqual(server["spec"]["podSelector"], {"matchLabels": {"app": "web"}})
        self.assertEqual((server["spec"]["port"], server["spec"]["accessPolicy"]), (8080, "deny"))
        authorization = self.get_json("authorizationpolicies.policy.linkerd.io", "app-web-8080", "-n", "shop")
        self.assertEqual(authorization["spec"]["targetRef"]["name"], "app-web-8080")
        identities = self.get_json("meshtlsauthentications.policy.linkerd.io", "app-web", "-n", "shop")
        self.assertEqual(identities["spec"]["identities"], ["*.identity.linkerd.cluster.local"])
        _, by_name = self.status("-n", "shop")
        self.assertEqual((by_name["deployment/web"]["mode"], by_name["deployment/web"]["source"]["text"]),
                         ("STRICT", "MTLSPolicy shop/app-web"))
        self.assertEqual(by_name["deployment/legacy"]["source"]["text"], "mesh default")

    def test_disable_is_refused_with_linkerds_message(self):
        self.shop()
        self.admin.request("DELETE", "/_emulator/stats")
        result = self.meshctl("mtls", "enable", "--mode", "DISABLE", "-n", "shop")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("Linkerd cannot turn mTLS off", result.stderr)
        self.assertIn("hint: use PERMISSIVE", result.stderr)
        self.assertEqual(self.writes(), [])

    def test_istio_forced_on_a_linkerd_cluster_is_exit_3(self):
        result = self.meshctl("mtls", "status", "--provider", "istio")
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("serves no Istio API", result.stderr)


if __name__ == "__main__":
    unittest.main()
