"""deploy/compose.yaml: the services, their health checks, ordering, limits and settings."""

from django.conf import settings

from tests.deploy.conftest import DEPLOY, documented_variables, load_yaml_documents, queues_of

PORTAL_SERVICES = {"migrate", "web", "worker-probes", "worker-jobs", "beat"}


def compose() -> dict:
    (document,) = load_yaml_documents(DEPLOY / "compose.yaml")
    return document


def test_every_process_of_the_portal_and_its_services_is_there():
    services = compose()["services"]
    assert set(services) == PORTAL_SERVICES | {"postgres", "redis"}


def test_long_running_services_restart_and_have_health_checks_and_limits():
    for name, service in compose()["services"].items():
        limits = service["deploy"]["resources"]["limits"]
        assert limits["cpus"] and limits["memory"], name
        if name == "migrate":
            assert service["restart"] == "no"
            continue
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name


def test_portal_services_wait_for_healthy_dependencies_and_the_migration():
    services = compose()["services"]
    for name in PORTAL_SERVICES - {"migrate"}:
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    assert services["migrate"]["command"] == ["sh", "deploy/release.sh"]


def test_workers_together_consume_every_queue():
    services = compose()["services"]
    consumed = set().union(*(queues_of(s.get("command", [])) for s in services.values()))
    assert consumed == set(settings.PORTAL_QUEUES)


def test_redis_keeps_messages():
    command = compose()["services"]["redis"]["command"]
    options = dict(zip(command[1::2], command[2::2], strict=True))
    assert options["--appendonly"] == "yes"
    assert options["--maxmemory-policy"] == "noeviction"


def test_postgres_is_tuned_and_has_room_for_the_connection_budget():
    command = compose()["services"]["postgres"]["command"]
    tuned = dict(arg.split("=", 1) for arg in command if "=" in arg)
    assert {"shared_buffers", "effective_cache_size", "random_page_cost"} <= set(tuned)
    services = compose()["services"]
    web = services["web"]["environment"]
    pool = int(web["DB_POOL_MAX_SIZE"])
    processes = int(web["WEB_CONCURRENCY"])
    for name in ("worker-probes", "worker-jobs"):
        command = services[name]["command"]
        processes += int(command[command.index("--concurrency") + 1]) + 1
    processes += 1 + 1  # beat and the migrate step
    assert processes * pool < int(tuned["max_connections"])


def test_stop_grace_of_web_covers_gunicorns_graceful_timeout():
    grace = compose()["services"]["web"]["stop_grace_period"]
    assert int(grace.rstrip("s")) >= 25


def test_every_portal_variable_is_documented():
    services = compose()["services"]
    names = {key for name in PORTAL_SERVICES for key in services[name]["environment"]}
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"} <= names
    assert names - documented_variables() == set()
