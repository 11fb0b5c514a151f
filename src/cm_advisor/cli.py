"""The command line: serve the app, score an answers file, check and calibrate a catalogue."""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cm_advisor import __version__, calibration, engine
from cm_advisor.catalogue import CatalogueError, load_catalogue, read_yaml
from cm_advisor.config import Settings
from cm_advisor.engine import audit


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result: int = args.run(args)
    except CatalogueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cm-advisor", description="Case Management Model Advisor")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web app and API")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument("--reload", action="store_true", help="restart when code changes")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.set_defaults(run=_serve)

    score = commands.add_parser("score", help="score an answers file (YAML or JSON)")
    score.add_argument("file", type=Path, help="answers, or {answers: ..., weights: ...}")
    score.add_argument("--json", action="store_true", help="print the API's JSON")
    score.set_defaults(run=_score)

    check = commands.add_parser("check", help="validate a catalogue")
    check.add_argument("catalogue", nargs="?", type=Path, help="models.yaml to check")
    check.add_argument("--questionnaire", type=Path, help="questionnaire.yaml to check")
    check.set_defaults(run=_check)

    calibrate = commands.add_parser(
        "calibrate", help="score documented programs; non-zero exit below the floor"
    )
    calibrate.add_argument("catalogue", nargs="?", type=Path, help="models.yaml to calibrate")
    calibrate.add_argument("--questionnaire", type=Path, help="questionnaire.yaml to use")
    calibrate.add_argument(
        "--programs", type=Path, help="calibration file (default: calibration.yaml beside it)"
    )
    calibrate.add_argument("--json", action="store_true", help="the report as JSON")
    calibrate.set_defaults(run=_calibrate)
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="apply schema migrations")
    upgrade.set_defaults(run=_db_upgrade)
    return parser


def _db_upgrade(args: argparse.Namespace) -> int:
    from cm_advisor.storage import Store, database_url

    settings = Settings()
    store = Store(
        database_url(settings.database_url, settings.data_dir), timeout=settings.database_timeout
    )
    try:
        store.migrate()
    finally:
        store.close()
    print(f"ok: schema up to date ({store.engine.url.render_as_string(hide_password=True)})")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from cm_advisor.web.app import create_app

    settings = Settings()
    host, port = args.host or settings.host, args.port or settings.port
    options = uvicorn_options(settings, host, port)
    if args.reload:
        load_catalogue(settings.catalogue_path, settings.questionnaire_path)  # fail fast
        uvicorn.run(FACTORY, factory=True, reload=True, **options)
    elif args.workers > 1:
        load_catalogue(settings.catalogue_path, settings.questionnaire_path)  # fail fast
        _serve_workers(uvicorn.Config(FACTORY, factory=True, workers=args.workers, **options))
    else:
        uvicorn.run(create_app(settings), **options)
    return 0


FACTORY = "cm_advisor.web.app:create_app"


def uvicorn_options(settings: Settings, host: str, port: int) -> dict[str, Any]:
    """How uvicorn serves the app. Proxy headers are trusted only from the addresses in
    CM_ADVISOR_FORWARDED_ALLOW_IPS (uvicorn itself would trust 127.0.0.1, so any local
    process could pose as any client to the rate limit). uvicorn has no timeout for a
    request's headers: the reverse proxy must bound those (see README, Deployment)."""
    trusted = settings.forwarded_allow_ips.strip()
    return {
        "host": host,
        "port": port,
        "access_log": False,  # our own access log redacts share tokens and manage keys
        "log_config": LOG_CONFIG,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or "",
        "timeout_keep_alive": settings.keep_alive_seconds,
        "limit_concurrency": settings.max_connections or None,
        "server_header": False,
    }


def _serve_workers(config: Any) -> None:
    """Several worker processes on one socket that we bind ourselves as TCP: uvicorn binds
    it with protocol 0 (uvicorn#3149), so asyncio never sets TCP_NODELAY and every
    keep-alive response waits ~40 ms for a delayed ACK (see bench/nodelay.py)."""
    from uvicorn.supervisors import Multiprocess

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((config.host, config.port))
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()


LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        "cm_advisor": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


def _score(args: argparse.Namespace) -> int:
    settings = Settings()
    catalogue = load_catalogue(settings.catalogue_path, settings.questionnaire_path)
    data = read_yaml(args.file)
    answers, weights = (
        (data.get("answers") or {}, data.get("weights")) if "answers" in data else (data, None)
    )
    try:
        result = engine.score(catalogue, answers, weights)
    except engine.InvalidInput as exc:
        for err in exc.errors:
            allowed = f" (allowed: {', '.join(err.allowed)})" if err.allowed else ""
            print(f"error: {args.file}: {err.field}: {err.message}{allowed}", file=sys.stderr)
        return 2
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print(render_table(catalogue, result))
    return 0


def render_table(catalogue: engine.Catalogue, result: engine.Result) -> str:
    """A plain-text report: the ranking, then the winner's reasons and concerns."""
    lines = [f"{'rank':<5}{'model':<40}{'score':>6}  fit", "-" * 60]
    lines += [f"{m.rank:<5}{m.name:<40}{m.score:>6.1f}  {m.fit}" for m in result.ranking]
    top = result.ranking[0]
    lines += ["", f"Recommended: {top.name} (confidence {result.confidence})"]
    lines += [f"  {result.confidence_reason}"]
    lines += ["", "Why:"] + [f"  + {r}" for r in top.reasons]
    if top.concerns:
        lines += ["Watch for:"] + [f"  - {c}" for c in top.concerns]
    for hybrid in result.hybrids:
        lines += ["", f"Hybrid: {hybrid.title}"]
        lines += [f"  {catalogue.model(p.model).short_name}: {p.population}" for p in hybrid.parts]
    if result.unanswered:
        lines += ["", f"Unanswered: {', '.join(result.unanswered)}"]
    return "\n".join(lines)


def _catalogue_files(args: argparse.Namespace) -> tuple[Path, Path]:
    """models.yaml and questionnaire.yaml: as given, the questionnaire beside a given
    models file, or the configured ones."""
    settings = Settings()
    models: Path = args.catalogue or settings.catalogue_path
    beside = models.parent / "questionnaire.yaml"
    questionnaire: Path = args.questionnaire or (
        beside if args.catalogue and beside.exists() else settings.questionnaire_path
    )
    return models, questionnaire


def _check(args: argparse.Namespace) -> int:
    models, questionnaire = _catalogue_files(args)
    catalogue = load_catalogue(models, questionnaire)
    unsupported = audit.unsupported(catalogue)
    if unsupported:
        print(
            f"error: {models}: {len(unsupported)} strong claims name no reference and are not "
            "marked as assumptions (add `refs: [reference id]` or `assumption: true`):",
            file=sys.stderr,
        )
        for place in unsupported:
            print(f"  {place}", file=sys.stderr)
        return 1
    print(
        f"ok: {models} (version {catalogue.version}): {len(catalogue.models)} models, "
        f"{len(catalogue.questionnaire.questions)} questions, "
        f"{len(catalogue.red_flags)} red flags, {len(catalogue.hybrids)} hybrids, "
        f"{len(catalogue.references)} references"
    )
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    models, questionnaire = _catalogue_files(args)
    programs = args.programs or models.parent / "calibration.yaml"
    catalogue = load_catalogue(models, questionnaire)
    report = calibration.evaluate(catalogue, calibration.load(programs), str(programs))
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(calibration.render(catalogue, report))
    return 0 if report.passed else 1
