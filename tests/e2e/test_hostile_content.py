"""Hundreds of XSS payloads as approved comments and as essay Markdown: nothing runs."""

import uuid

from comments.models import Comment
from comments.services import RequestMeta, submit_comment
from moderation.services import approve_comment
from tests.e2e.payloads import comment_payloads
from tests.factories import make_essay, make_user

# Every element inside the area, checked in the page itself.
AUDIT = """(selector) => {
  const problems = [];
  const area = document.querySelector(selector);
  if (!area) return ["area not found: " + selector];
  for (const el of area.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith("on")) problems.push(el.outerHTML.slice(0, 120));
      if (attr.name === "style") problems.push("style on " + el.tagName);
    }
    const tag = el.tagName.toLowerCase();
    if (["script", "iframe", "object", "embed", "svg", "math", "form", "style", "base",
         "meta", "link", "input", "textarea", "select", "video", "audio"].includes(tag)
        && !el.closest("#respond")) {
      problems.push("element " + tag);
    }
    for (const name of ["href", "src", "action", "formaction", "xlink:href", "cite"]) {
      const value = el.getAttribute(name);
      if (value === null || el.closest("#respond")) continue;
      const url = new URL(value, document.baseURI);
      if (!["http:", "https:", "mailto:"].includes(url.protocol)) {
        problems.push(name + "=" + value.slice(0, 80));
      }
    }
  }
  return problems;
}"""


def audit(tab, path, selector):
    page = tab.go(path)
    page.wait_for_timeout(300)  # give anything that would run (autofocus, animations) a moment
    problems = page.evaluate(AUDIT, selector)
    return page, problems


def test_hostile_comments_render_harmlessly(open_tab, e2e_settings):
    e2e_settings.COMMENTS_THREADS_PER_PAGE = 1000
    essay = make_essay("Under attack", body="Body.")
    moderator = make_user("mod")
    payloads = comment_payloads()
    assert len(payloads) >= 300
    meta = RequestMeta(ip_address="203.0.113.9", user_agent="x", referrer="", permalink="")
    for i, payload in enumerate(payloads):
        submission = submit_comment(
            essay=essay, parent=None, author_name=f"Attacker {i} <b onclick=alert(1)>",
            author_email="", author_url="https://ok.example/\"onmouseover=alert(1)",
            body=payload, content_warning="<img src=x onerror=alert(1)>" if i % 7 == 0 else "",
            request_meta=meta, submission_key=uuid.uuid4(),
        )  # fmt: skip
        approve_comment(comment=submission.comment, moderator=moderator)
    assert Comment.objects.public().count() == len(payloads)

    tab = open_tab()
    page, problems = audit(tab, essay.get_absolute_url(), "#comments")
    assert page.locator(".comment").count() == len(payloads)
    for details in page.locator("details.comment-cw").all()[:20]:
        details.locator("summary").click()  # open the folded ones too
    page.mouse.move(200, 400)
    page.wait_for_timeout(200)
    assert problems == []
    assert tab.dialogs == []
    assert tab.csp_violations() == []
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_hostile_essay_markdown_from_staff_renders_harmlessly(open_tab):
    body = "\n\n".join(["An honest first paragraph.", *comment_payloads()[:120]])
    essay = make_essay("Markdown under attack", body=body)
    tab = open_tab()
    page, problems = audit(tab, essay.get_absolute_url(), ".essay-body")
    assert "An honest first paragraph." in page.inner_text(".essay-body")
    assert problems == []
    assert tab.dialogs == []
    assert tab.csp_violations() == []
