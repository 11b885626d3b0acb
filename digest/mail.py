"""Build the MIME message and hand it to an SMTP server.

Structure: multipart/alternative = text/plain + multipart/related(text/html + image/png
parts whose Content-ID the HTML references as cid:).
"""
import email.utils
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid

from digest.render import render_html, render_text


def build_message(ctx, sender, recipient, charts=None):
    from digest.charts import digest_charts  # matplotlib: imported only when a chart is drawn
    charts = charts if charts is not None else digest_charts(ctx["series"])
    cids = {name: make_msgid(idstring=name, domain="digest.monitor") for name in charts}
    msg = EmailMessage()
    msg["Subject"] = ctx["subject"]
    msg["From"] = sender
    msg["To"] = _address(recipient)
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(idstring=f"digest.{ctx['week']}", domain="digest.monitor")
    msg.set_content(render_text(ctx), charset="utf-8")
    msg.add_alternative(render_html(ctx, {n: f"cid:{cid[1:-1]}" for n, cid in cids.items()}),
                        subtype="html", charset="utf-8")
    html_part = msg.get_payload()[1]
    for name, png in charts.items():
        html_part.add_related(png, maintype="image", subtype="png", cid=cids[name],
                              filename=f"{name}.png", disposition="inline")
    return msg


def _address(recipient):
    if recipient.get("name"):
        user, _, domain = recipient["email"].partition("@")
        return str(Address(recipient["name"], user, domain))
    return recipient["email"]


def send(msg, smtp):
    """Deliver one message with the Smtp settings; raises smtplib/OSError errors."""
    if smtp.security == "ssl":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    with client:
        if smtp.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if smtp.user:
            client.login(smtp.user, smtp.password)
        client.send_message(msg)
