"""HTTP basic auth for the whole Flask server (pages, callbacks, any registered API)."""
import hmac

from flask import Response, request

REALM = 'Basic realm="monitor", charset="UTF-8"'


def protect(server, user, password):
    if not user or not password:
        raise ValueError("basic auth needs both a user name and a password")

    @server.before_request
    def _check():
        given = request.authorization
        if given and given.type == "basic" and hmac.compare_digest((given.username or "").encode(), user.encode()) \
                and hmac.compare_digest((given.password or "").encode(), password.encode()):
            return None
        return Response("로그인이 필요합니다 / login required", 401, {"WWW-Authenticate": REALM})


def current_user():
    """The logged-in user name (None without basic auth or outside a request)."""
    try:
        given = request.authorization
    except RuntimeError:
        return None
    return given.username if given else None
