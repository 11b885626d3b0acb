"""`monitor.py dashboard`: serve the dashboard (127.0.0.1 by default)."""
import ipaddress
import os
import sys

HELP = "대시보드 실행 (기본 http://127.0.0.1:8050) / run the Dash dashboard"
USER_ENV, PASSWORD_ENV = "MONITOR_DASHBOARD_USER", "MONITOR_DASHBOARD_PASSWORD"


def add_arguments(parser):
    parser.add_argument("--host", default="127.0.0.1",
                        help=f"bind address; anything but loopback requires ${USER_ENV} and ${PASSWORD_ENV}")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true", help="Dash debug mode (reloader, error overlay; dev server)")
    from dashboard.serve import add_server_arguments
    add_server_arguments(parser)


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def auth_from_env(host):
    """(user, password) from the environment; required for a non-loopback bind."""
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if user and password:
        return user, password
    if is_loopback(host):
        return None
    raise SystemExit(
        f"오류: --host {host} 로 외부에 공개하려면 로그인 설정이 필요합니다. 환경 변수 {USER_ENV} 와 "
        f"{PASSWORD_ENV} 를 지정하세요 (수정 기능이 비밀번호 없이 노출되지 않도록). / a non-loopback bind "
        f"requires {USER_ENV} and {PASSWORD_ENV}.")


def run(args):
    try:
        auth = auth_from_env(args.host)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    import threading
    from dashboard.app import create_app
    from digest.settings import SettingsError
    try:
        app = create_app(getattr(args, "db", None), auth=auth)
    except SettingsError as exc:  # [health] limits for /healthz come from the settings file
        print(f"오류 / error: {exc}", file=sys.stderr)
        return 1
    print(f"대시보드: http://{args.host}:{args.port}/ (Ctrl+C로 종료)" + (" · 로그인 필요" if auth else ""))
    if args.debug or args.server == "dev":
        app.run(host=args.host, port=args.port, debug=args.debug)
        return 0
    import signal
    from dashboard.serve import serve_until
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    serve_until(stop, app.server, args.host, args.port, args.server, args.threads)
    return 0
