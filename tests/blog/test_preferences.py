import re

import pytest

from tests.factories import make_essay, make_warning

pytestmark = pytest.mark.django_db


def test_preferences_page_lists_warnings(client):
    make_warning("Suicide", gates=True, description="Suicidal thoughts.")
    make_warning("Grief")
    html = client.get("/preferences/").content.decode()
    assert "Open essays with these warnings without a warning screen" in html
    assert "Hide essays with these warnings from the essay lists" in html
    assert "Suicidal thoughts." in html


def test_skipping_a_warning_opens_its_essays_without_the_screen(client):
    suicide = make_warning("Suicide", gates=True)
    essay = make_essay(warnings=[suicide], body="The body.")
    response = client.post("/preferences/", {"skip_gate": [suicide.pk]})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Your reading preferences are saved in this browser." in page
    assert "The body." in client.get(essay.get_absolute_url()).content.decode()


def test_hidden_warnings_remove_essays_from_the_list_and_gate_direct_links(client):
    grief = make_warning("Grief")
    hidden = make_essay("Hidden essay", warnings=[grief], body="Hidden body.")
    make_essay("Visible essay")
    client.post("/preferences/", {"hide": [grief.pk]})
    home = client.get("/").content.decode()
    assert "Hidden essay" not in home and "Visible essay" in home
    assert "One essay is hidden here by your reading preferences" in home
    direct = client.get(hidden.get_absolute_url()).content.decode()
    assert "Hidden body." not in direct and "Continue to the essay" in direct


def test_unknown_choices_are_refused_with_a_message_and_keep_the_cookie(client):
    response = client.post("/preferences/", {"hide": ["abc", "999999"]})
    assert response.status_code == 400
    assert "Your preferences were not saved" in response.content.decode()
    assert "reading_prefs" not in response.cookies


def test_forgetting_passed_essays_brings_the_screen_back(client):
    cw = make_warning("Suicide", gates=True)
    essay = make_essay(warnings=[cw], body="The body.")
    client.post(f"{essay.get_absolute_url()}continue/")
    assert "The body." in client.get(essay.get_absolute_url()).content.decode()
    assert "(1 essay)" in client.get("/preferences/").content.decode()
    client.post("/preferences/", {"forget_essays": "on"})
    assert "The body." not in client.get(essay.get_absolute_url()).content.decode()


def test_saving_preferences_keeps_the_current_choices_checked(client):
    cw = make_warning("Suicide", gates=True)
    client.post("/preferences/", {"skip_gate": [cw.pk]})
    html = client.get("/preferences/").content.decode()
    assert re.search(rf'<input[^>]*name="skip_gate"[^>]*value="{cw.pk}"[^>]*checked', html)
    assert not re.search(r'<input[^>]*name="hide"[^>]*checked', html)


@pytest.mark.parametrize("value", ["9223372036854775808", "-1", "1e3", "\x00", "0"])
def test_impossible_warning_ids_are_refused_cleanly(client, value):
    response = client.post("/preferences/", {"hide": [value], "skip_gate": [value]})
    assert response.status_code == 400
    assert "Your preferences were not saved" in response.content.decode()
