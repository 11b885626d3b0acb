"""Helpers for the digest, spike and scheduler tests: documents through the real store API
and a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""
import datetime as dt
import email
import email.policy
import socket

from aiosmtpd.controller import Controller

from store.documents import save_document
from store.labels import save_classifications

_counter = [0]


def add_docs(db, day, n, region="서울", sentiment="neutral", kind="news", topics=("budget",),
             outlet="테스트일보", title="자치경찰 테스트 기사", cluster=None, relevant=True):
    """n labelled documents published on Korean local date `day` (noon KST); region may be
    a list of regions."""
    published = dt.datetime.fromisoformat(f"{day}T12:00:00+09:00").astimezone(dt.timezone.utc)
    ids = []
    for _ in range(n):
        _counter[0] += 1
        k = _counter[0]
        doc_id, _status = save_document(db, {
            "canonical_url": f"https://test.example.kr/{k}", "source": f"src-{outlet}", "kind": kind,
            "outlet": outlet, "title": title, "body": f"본문 {k} 자치경찰위원회", "lang": "ko",
            "published_at": published.strftime("%Y-%m-%dT%H:%M:%SZ"), "cluster_id": cluster})
        ids.append(doc_id)
    regions = list(region) if isinstance(region, (list, tuple)) else [region]
    save_classifications(db, [{"document_id": i, "model_version": "test-1", "relevant": relevant,
                               "relevance_score": 0.9, "sentiment": sentiment, "topics": list(topics),
                               "regions": regions} for i in ids])
    return ids


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    """aiosmtpd handler: keeps parsed messages; answers 451 while `fail` > 0."""

    def __init__(self):
        self.messages = []
        self.fail = 0

    async def handle_DATA(self, server, session, envelope):
        if self.fail > 0:
            self.fail -= 1
            return "451 4.3.0 temporary failure (test)"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, msg))
        return "250 OK"


class SmtpServer:
    def __init__(self, handler=None):
        self.handler = handler or Collector()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def messages(self):
        return self.handler.messages

    def env(self):
        return {"MONITOR_SMTP_HOST": "127.0.0.1", "MONITOR_SMTP_PORT": str(self.port),
                "MONITOR_SMTP_SECURITY": "none", "MONITOR_SMTP_SENDER": "monitor@test.example"}

    def stop(self):
        self.controller.stop()
