"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

Without a Chromium these tests skip, saying how to install one; with E2E_REQUIRED=1 (as
in CI) a missing browser fails them instead. Screenshots of key screens, at 375 and 1280
pixels wide, go to E2E_SCREENSHOTS (default: e2e-screenshots/ in the project).
"""

import os
import shutil
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import include, path
from django.views.static import serve
from PIL import Image, ImageDraw

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", ROOT / "e2e-screenshots"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
HOW_TO_INSTALL = (
    "Chromium not found: install it with `apt-get install -y chromium` (or set "
    "E2E_CHROMIUM to a Chromium binary). Never `playwright install`."
)


def _chromium_path() -> str | None:
    for candidate in [os.environ.get("E2E_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")]:  # fmt: skip
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _unavailable(reason: str):
    if os.environ.get("E2E_REQUIRED") == "1":
        pytest.fail(f"E2E_REQUIRED=1 but the browser tests cannot run. {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("The playwright package is not installed (make test installs it).")
    path = _chromium_path()
    if path is None:
        _unavailable(HOW_TO_INSTALL)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Tab:
    """A browser page with what the tests watch for: console errors and dialogs."""

    def __init__(self, context, base_url):
        self.context = context
        self.page = context.new_page()
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )

        def on_dialog(dialog):
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", on_dialog)

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def csp_violations(self) -> list[str]:
        return [e for e in self.console_errors if "Content Security Policy" in e]


@pytest.fixture
def open_tab(browser, live_server):
    contexts = []

    def make(*, javascript: bool = True, width: int = 1280) -> Tab:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, java_script_enabled=javascript
        )
        contexts.append(context)
        return Tab(context, live_server.url)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def snap(request):
    """Save the current page at 375 and 1280 px wide: snap(page, "gate")."""

    def take(page, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        original = page.viewport_size
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=SCREENSHOTS / f"{request.node.name}-{name}-{width}.png",
                            full_page=True)  # fmt: skip
        page.set_viewport_size(original)

    return take


@pytest.fixture
def e2e_settings(settings):
    """Settings the journeys rely on: no time trap wait, Akismet off, tasks in-request."""
    settings.MODERATION_MIN_SECONDS = 0
    settings.PYTHON_AKISMET_API_KEY = ""
    settings.MODERATION_RATE = 1000
    return settings


def urlpatterns_serving_media():
    from django.conf import settings

    return [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),  # fmt: skip
        path("", include("config.urls")),
    ]


urlpatterns = []


@pytest.fixture
def media_served(settings):
    """The live server serves the test's MEDIA_ROOT (config.urls does only with DEBUG or
    SERVE_MEDIA set when it is first imported)."""
    urlpatterns[:] = urlpatterns_serving_media()
    settings.ROOT_URLCONF = __name__  # this module's urlpatterns
    return settings


def picture(width, height, fmt="PNG") -> bytes:
    """A gradient with a few shapes, so screenshots show something like a photograph."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = int(40 + 140 * y / height)
        draw.line([(0, y), (width, y)], fill=(shade // 2, shade // 2 + 20, shade + 40))
    for i in range(6):
        x = width * (i + 1) // 7
        draw.ellipse([x - 30, height // 2 - 30, x + 30, height // 2 + 30], fill=(250, 190, 90))
    out = BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.django_db(transaction=True))
