#!/usr/bin/env python3
"""Checks rendered Kubernetes manifests (scripts/k8s-validate.sh runs it in its venv).

1. Schema: every document against the Kubernetes OpenAPI schemas bundled with
   kubernetes-validate, strictly (unknown fields are errors), for each --kube-version.
   A kind without a bundled schema is an error unless named by --allow-kind (CRDs such as
   ServiceMonitor), which then gets only the reference checks below.
2. What the fleet promises (docs/deploy.md): the probes, the shutdown timing, non-root and
   read-only pods, the shared exports volume, the migrations Job, and that every name one
   object uses (ConfigMap, volume claim, Service, port, HPA target, selector) exists in the
   same render.

    k8s_check.py --expect fleet|migrate|none [--kube-version V]... [--allow-kind K]... FILE
"""

import argparse
import sys

import kubernetes_validate.utils as kv
import yaml

# Names the manifests share with each other and with docs/deploy.md.
API, WORKER, MIGRATE = "ents-api", "ents-worker", "ents-migrate"
SECRET = "ents-secrets"  # created by the operator (deploy/k8s/base/secret.example.yaml)
METRICS_PORT = 9464
HTTP_PORT = 8000


class Checker:
    def __init__(self, docs):
        self.docs = docs
        self.errors = []

    def fail(self, message):
        self.errors.append(message)

    def objects(self, kind):
        return [d for d in self.docs if d.get("kind") == kind]

    def named(self, kind, name):
        return next((d for d in self.objects(kind) if d["metadata"]["name"] == name), None)

    def require(self, kind, name):
        found = self.named(kind, name)
        if found is None:
            self.fail(f"{kind} {name} is missing")
        return found


def pod_spec(workload):
    return workload["spec"]["template"]["spec"]


def container(workload):
    return pod_spec(workload)["containers"][0]


def labels_match(selector, labels):
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def config_value(c, workload, key):
    """A setting as the container sees it: its own env, else the ConfigMaps it reads."""
    for env in container(workload).get("env", []):
        if env["name"] == key:
            return env.get("value")
    for source in container(workload).get("envFrom", []):
        ref = source.get("configMapRef")
        cm = ref and c.named("ConfigMap", ref["name"])
        if cm and key in cm.get("data", {}):
            return cm["data"][key]
    return None


def check_schema(c, versions, allowed_kinds):
    for doc in c.docs:
        what = f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        for version in versions:
            try:
                kv.validate(doc, version, strict=True)
            except kv.SchemaNotFoundError:
                if doc.get("kind") not in allowed_kinds:
                    c.fail(f"{what}: no schema for {doc.get('apiVersion')} in Kubernetes {version}")
            except kv.ValidationError as e:
                c.fail(f"{what}: invalid for Kubernetes {version}: {e.message} at {list(e.path)}")


def check_pod_hardening(c, workload):
    name = workload["metadata"]["name"]
    pod = pod_spec(workload)
    security = pod.get("securityContext", {})
    if not security.get("runAsNonRoot") or security.get("runAsUser") != 10001:
        c.fail(f"{name}: pods must run as non-root uid 10001 (the image's user)")
    if pod.get("automountServiceAccountToken") is not False:
        c.fail(f"{name}: no service account token is needed")
    mounts = {m["mountPath"]: m["name"] for m in container(workload).get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for box in pod["containers"]:
        ctx = box.get("securityContext", {})
        read_only = ctx.get("readOnlyRootFilesystem") is True
        if not read_only or ctx.get("allowPrivilegeEscalation") is not False:
            c.fail(f"{name}/{box['name']}: read-only root filesystem, no privilege escalation")
        if ctx.get("capabilities", {}).get("drop") != ["ALL"]:
            c.fail(f"{name}/{box['name']}: drop all capabilities")
        if not cpu_request(box) or not box.get("resources", {}).get("limits", {}).get("memory"):
            c.fail(f"{name}/{box['name']}: CPU request and memory limit are required")
        for source in box.get("envFrom", []):
            if "configMapRef" in source:
                c.require("ConfigMap", source["configMapRef"]["name"])
            if "secretRef" in source and source["secretRef"]["name"] != SECRET:
                c.fail(f"{name}: reads Secret {source['secretRef']['name']}, expected {SECRET}")
    if "emptyDir" not in volumes.get(mounts.get("/tmp"), {}):
        c.fail(f"{name}: /tmp must be an emptyDir (the root filesystem is read-only)")
    for volume in volumes.values():
        if "persistentVolumeClaim" in volume:
            c.require("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"])


def cpu_request(box):
    return box.get("resources", {}).get("requests", {}).get("cpu")


def http_probe(box, probe):
    get = box.get(probe, {}).get("httpGet", {})
    return get.get("path"), get.get("port")


def ports(box):
    return {p["name"]: p["containerPort"] for p in box.get("ports", [])}


def check_scrape_annotations(c, workload):
    notes = workload["spec"]["template"]["metadata"].get("annotations", {})
    expected = {"prometheus.io/port": str(METRICS_PORT), "prometheus.io/path": "/metrics"}
    if notes.get("prometheus.io/scrape") not in ("true", "false") or any(
        notes.get(k) != v for k, v in expected.items()
    ):
        c.fail(f"{workload['metadata']['name']}: prometheus.io/scrape, /port, /path annotations")


def check_api(c, api):
    box = container(api)
    if api["spec"].get("replicas", 1) < 2:
        c.fail(f"{API}: at least 2 replicas")
    if box.get("args") != ["ents", "serve"]:
        c.fail(f"{API}: runs `ents serve`")
    if ports(box) != {"http": HTTP_PORT, "metrics": METRICS_PORT}:
        c.fail(f"{API}: ports http {HTTP_PORT} and metrics {METRICS_PORT}")
    if http_probe(box, "readinessProbe") != ("/readyz", "http"):
        c.fail(f"{API}: readiness probe is GET /readyz on http")
    if http_probe(box, "livenessProbe") != ("/healthz", "http"):
        c.fail(f"{API}: liveness probe is GET /healthz on http")
    if config_value(c, api, "ENTS_DATABASE__MIGRATE_ON_START") != "false":
        c.fail(f"{API}: database.migrate_on_start must be false (the Job migrates)")
    if config_value(c, api, "ENTS_HTTP__LISTEN") != f"0.0.0.0:{HTTP_PORT}":
        c.fail(f"{API}: http.listen must be 0.0.0.0:{HTTP_PORT}")
    pre_stop = box.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    if len(pre_stop) != 2 or pre_stop[0] != "sleep" or not pre_stop[1].isdigit():
        c.fail(f"{API}: preStop must pause (sleep N) so endpoints drain")
        return
    shutdown = int(config_value(c, api, "ENTS_HTTP__SHUTDOWN_TIMEOUT_SECS") or 30)
    grace = pod_spec(api).get("terminationGracePeriodSeconds", 30)
    if grace <= int(pre_stop[1]) + shutdown:
        c.fail(f"{API}: terminationGracePeriodSeconds {grace} must exceed preStop "
               f"{pre_stop[1]} s + http.shutdown_timeout_secs {shutdown} s")


def check_worker(c, worker):
    box = container(worker)
    if worker["spec"].get("replicas", 1) < 2:
        c.fail(f"{WORKER}: at least 2 replicas")
    if box.get("args") != ["ents-worker"]:
        c.fail(f"{WORKER}: runs `ents-worker`")
    if ports(box) != {"metrics": METRICS_PORT}:
        c.fail(f"{WORKER}: one port, metrics {METRICS_PORT}")
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        if http_probe(box, probe) != (path, "metrics"):
            c.fail(f"{WORKER}: {probe} is GET {path} on the metrics (admin) port")


def check_metrics_listener(c, workload):
    if config_value(c, workload, "ENTS_METRICS__LISTEN") != f"0.0.0.0:{METRICS_PORT}":
        c.fail(f"{workload['metadata']['name']}: metrics.listen must be 0.0.0.0:{METRICS_PORT}")


def check_shared_exports(c, api, worker):
    """Both mount one ReadWriteMany claim where exports.directory points."""
    claims = []
    for workload in (api, worker):
        directory = config_value(c, workload, "ENTS_EXPORTS__DIRECTORY")
        mounts = {m["mountPath"]: m["name"] for m in container(workload).get("volumeMounts", [])}
        volumes = {v["name"]: v for v in pod_spec(workload).get("volumes", [])}
        volume = volumes.get(mounts.get(directory), {})
        claim = volume.get("persistentVolumeClaim", {}).get("claimName")
        if not claim:
            c.fail(f"{workload['metadata']['name']}: exports.directory ({directory}) "
                   "must be a mounted volume claim")
        claims.append(claim)
    if claims[0] != claims[1]:
        c.fail(f"the API and the worker mount different exports claims: {claims}")
    pvc = claims[0] and c.named("PersistentVolumeClaim", claims[0])
    if pvc and pvc["spec"].get("accessModes") != ["ReadWriteMany"]:
        c.fail(f"PersistentVolumeClaim {claims[0]} must be ReadWriteMany")


def pods_selected(c, selector):
    return [w for kind in ("Deployment", "Job") for w in c.objects(kind)
            if labels_match(selector, w["spec"]["template"]["metadata"].get("labels", {}))]


def check_references(c):
    for svc in c.objects("Service"):
        name = svc["metadata"]["name"]
        targets = pods_selected(c, svc["spec"].get("selector"))
        if not targets:
            c.fail(f"Service {name}: its selector matches no pod template")
        for port in svc["spec"]["ports"]:
            if not all(port["targetPort"] in ports(container(t)) for t in targets):
                c.fail(f"Service {name}: not every pod it selects has port {port['targetPort']}")
    for pdb in c.objects("PodDisruptionBudget"):
        if not pods_selected(c, pdb["spec"]["selector"]["matchLabels"]):
            c.fail(f"PodDisruptionBudget {pdb['metadata']['name']} selects no pods")
    for hpa in c.objects("HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        target = c.require(ref["kind"], ref["name"])
        if target and not cpu_request(container(target)):
            c.fail(f"HorizontalPodAutoscaler {hpa['metadata']['name']}: "
                   f"{ref['name']} has no CPU request")
    for ingress in c.objects("Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                svc = c.require("Service", backend["name"])
                port = backend["port"].get("name")
                if svc and port not in [p["name"] for p in svc["spec"]["ports"]]:
                    c.fail(f"Ingress {ingress['metadata']['name']}: Service {backend['name']} "
                           f"has no port {port}")
    for monitor in c.objects("ServiceMonitor"):
        selector = monitor["spec"]["selector"]["matchLabels"]
        port = monitor["spec"]["endpoints"][0]["port"]
        scraped = {s["metadata"]["name"] for s in c.objects("Service")
                   if labels_match(selector, s["metadata"].get("labels", {}))
                   and port in [p["name"] for p in s["spec"]["ports"]]}
        if not {API, f"{WORKER}-metrics"} <= scraped:
            c.fail(f"ServiceMonitor {monitor['metadata']['name']} must scrape the API and the "
                   f"workers; it finds {sorted(scraped)}")


def check_fleet(c):
    api, worker = c.require("Deployment", API), c.require("Deployment", WORKER)
    for kind, name in (("Service", API), ("HorizontalPodAutoscaler", API),
                       ("PodDisruptionBudget", API), ("PodDisruptionBudget", WORKER)):
        c.require(kind, name)
    if not any(p["path"] == "/socket.io/" for i in c.objects("Ingress")
               for r in i["spec"]["rules"] for p in r["http"]["paths"]):
        c.fail("no Ingress routes /socket.io/ (the live push)")
    if c.objects("Job"):
        c.fail("the migrations Job belongs to its own kustomization, applied before the fleet")
    if api and worker:
        check_api(c, api)
        check_worker(c, worker)
        check_shared_exports(c, api, worker)
        for workload in (api, worker):
            check_scrape_annotations(c, workload)
            check_metrics_listener(c, workload)


def check_migrate(c):
    job = c.require("Job", MIGRATE)
    if job and container(job).get("args") != ["ents", "migrate"]:
        c.fail(f"{MIGRATE}: runs `ents migrate`")
    if job and pod_spec(job).get("restartPolicy") != "Never":
        c.fail(f"{MIGRATE}: restartPolicy Never (the Job's backoffLimit retries)")
    if c.objects("Deployment"):
        c.fail("the migrations render must not roll out workloads")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expect", choices=["fleet", "migrate", "none"], required=True)
    parser.add_argument("--kube-version", action="append", required=True)
    parser.add_argument("--allow-kind", action="append", default=[])
    parser.add_argument("file")
    args = parser.parse_args()

    with open(args.file, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    c = Checker(docs)
    check_schema(c, args.kube_version, set(args.allow_kind))
    for workload in c.objects("Deployment") + c.objects("Job"):
        check_pod_hardening(c, workload)
    check_references(c)
    if args.expect == "fleet":
        check_fleet(c)
    elif args.expect == "migrate":
        check_migrate(c)

    for error in c.errors:
        print(f"  ERROR {args.file}: {error}", file=sys.stderr)
    kinds = sorted({d["kind"] for d in docs})
    status = "FAILED" if c.errors else "ok"
    print(f"  {status}: {len(docs)} objects ({', '.join(kinds)}), "
          f"Kubernetes {', '.join(args.kube_version)}")
    return 1 if c.errors else 0


if __name__ == "__main__":
    sys.exit(main())
