"""deploy/k8s: probes, a single beat, grace periods, resources, config and secret references."""

from django.conf import settings

from tests.deploy.conftest import DEPLOY, documented_variables, load_yaml_documents, queues_of

K8S = DEPLOY / "k8s"


def objects() -> list[dict]:
    paths = sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
    return [doc for path in paths for doc in load_yaml_documents(path)]


def deployments() -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects() if o["kind"] == "Deployment"}


def containers(obj: dict) -> list[dict]:
    return obj["spec"]["template"]["spec"]["containers"]


def test_every_manifest_has_the_basic_keys_and_kustomize_lists_them_all():
    listed = set(load_yaml_documents(K8S / "kustomization.yaml")[0]["resources"])
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == files
    for obj in objects():
        assert obj["apiVersion"] and obj["kind"] and obj["metadata"]["name"]


def test_web_probes_liveness_and_readiness():
    (web,) = containers(deployments()["portal-web"])
    assert web["livenessProbe"]["httpGet"]["path"] == "/health/live"
    ready = web["readinessProbe"]["httpGet"]
    assert ready["path"] == "/health/ready"
    # The readiness probe goes through Django, so its Host must be an allowed host.
    host = {h["name"]: h["value"] for h in ready["httpHeaders"]}["Host"]
    config = next(o for o in objects() if o["kind"] == "ConfigMap")
    assert host in config["data"]["ALLOWED_HOSTS"].split(",")


def test_a_service_selects_the_web_pods():
    service = next(o for o in objects() if o["kind"] == "Service")
    labels = deployments()["portal-web"]["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()


def test_exactly_one_beat_recreated_on_rollout():
    beats = [d for d in deployments().values() if "beat" in containers(d)[0]["command"]]
    assert len(beats) == 1
    assert beats[0]["spec"]["replicas"] == 1
    assert beats[0]["spec"]["strategy"]["type"] == "Recreate"


def test_workers_consume_every_queue():
    consumed = set()
    for deployment in deployments().values():
        for container in containers(deployment):
            consumed |= queues_of(container["command"])
    assert consumed == set(settings.PORTAL_QUEUES)


def test_grace_periods_resources_and_non_root():
    for name, deployment in deployments().items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["terminationGracePeriodSeconds"] >= 25, name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            assert container["resources"]["requests"] and container["resources"]["limits"], name
    web = deployments()["portal-web"]["spec"]["template"]["spec"]
    assert web["terminationGracePeriodSeconds"] >= 25  # GUNICORN_GRACEFUL_TIMEOUT


def test_config_comes_from_the_configmap_and_the_secret():
    config_names = {o["metadata"]["name"] for o in objects() if o["kind"] == "ConfigMap"}
    for name, deployment in deployments().items():
        for container in containers(deployment):
            refs = container["envFrom"]
            assert {r["configMapRef"]["name"] for r in refs if "configMapRef" in r} <= config_names
            assert any(r.get("secretRef", {}).get("name") == "portal-secrets" for r in refs), name


def test_every_variable_set_is_documented():
    names = set()
    for obj in objects():
        if obj["kind"] == "ConfigMap":
            names |= set(obj["data"])
        if obj["kind"] in ("Deployment", "Job"):
            for container in obj["spec"]["template"]["spec"]["containers"]:
                names |= {e["name"] for e in container.get("env", [])}
    assert {"PORTAL_ENV", "ALLOWED_HOSTS", "PROMETHEUS_MULTIPROC_DIR"} <= names
    assert names - documented_variables() == set()
