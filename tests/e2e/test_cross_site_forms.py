"""Security review: forms another website makes a reader's real browser (Chromium) send to
us. Every one must be refused with nothing saved and no cookie set, also when the reader
reloads the refusal (which resends the POST). Attacks that held, kept as regressions."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from comments.models import Comment
from moderation.models import Report
from tests.factories import make_comment, make_essay, make_warning


@pytest.fixture
def attacker_site():
    """Another site (http://127.0.0.1:<port>; the live server is http://localhost:<port>)
    serving one page, set per test, that posts a form to us as soon as it loads."""
    page = {"html": b""}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page["html"])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield page, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def autosubmit(action: str, fields: dict, enctype: str) -> bytes:
    inputs = "".join(f'<input name="{k}" value="{v}">' for k, v in fields.items())
    return (
        f'<form id="f" method="post" action="{action}" enctype="{enctype}">{inputs}</form>'
        "<script>document.getElementById('f').submit()</script>"
    ).encode()


ENCTYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]


@pytest.mark.parametrize("enctype", ENCTYPES)
def test_forms_sent_from_another_site_by_a_real_browser_are_refused(
    open_tab, live_server, attacker_site, e2e_settings, enctype
):
    assert live_server.url.startswith("http://localhost:")
    page, attacker_url = attacker_site
    essay = make_essay(warnings=[make_warning(gates=True)])
    comment = make_comment(essay, body="Someone else's words.")
    tab = open_tab()
    # The reader has been here before: they have our cookies (SameSite=Lax).
    tab.go(essay.get_absolute_url())
    base = live_server.url
    forms = [
        (f"{essay.get_absolute_url()}comment/",
         {"author_name": "Victim", "body": "Forged words.", "started": ""}),
        (f"{essay.get_absolute_url()}continue/", {"remember_topics": "on"}),
        ("/preferences/", {"forget_essays": "on"}),
        (f"/comments/{comment.pk}/hide/", {}),
        (f"/comments/{comment.pk}/report/", {"reason": "harassment", "note": "forged"}),
    ]  # fmt: skip
    for path, fields in forms:
        page["html"] = autosubmit(base + path, fields, enctype)
        tab.page.goto(attacker_url)
        tab.page.wait_for_url(f"{base}{path}")
        assert "sent from another website" in tab.page.content(), path
        tab.page.reload()  # resends the POST: still labelled cross-site
        assert "sent from another website" in tab.page.content(), path
    assert not Comment.objects.filter(body="Forged words.").exists()
    assert not Report.objects.exists()
    names = {c["name"] for c in tab.context.cookies()}
    assert not names & {"reading_prefs", "comments_hidden", "comment_author", "comment_reports"}
