"""A comment is never lost to a 500: when the database fails before, at or after the commit,
the reader gets their text back with "try again", or the truth that it was received; a
retry stores it once. Other reader POSTs answer "try again in a moment", not a 500."""

import contextlib

import pytest
from django.db import OperationalError, connection
from django.test import Client

from comments.models import Comment
from tests.factories import comment_form_data, make_comment, make_essay

pytestmark = pytest.mark.django_db
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}
BODY = "Words I took an hour to write, and do not want to lose."


def post(client, essay, body=BODY):
    return client.post(
        f"/essays/{essay.slug}/comment/", comment_form_data(body=body), **SAME_ORIGIN
    )


@contextlib.contextmanager
def database_fails(when):
    """Every query for which `when(sql)` is true raises OperationalError, as a dropped
    connection would; a `when` that returns "after" lets that one query run first."""

    def wrapper(execute, sql, params, many, context):
        verdict = when(sql)
        if verdict == "after":
            execute(sql, params, many, context)
        if verdict:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def inserting_a_comment(sql):
    return sql.startswith('INSERT INTO "comments_comment"')


def every_query(sql):
    return True


def assert_text_kept_for_a_retry(response):
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "may not have been saved" in html and "send it again" in html
    assert BODY in html  # in the textarea, ready to send again
    assert 'action="/essays/' in html


@pytest.fixture
def essay(client):
    essay = make_essay("Faults", body="Essay body.")
    client.get(essay.get_absolute_url())  # readers' pages keep the essay in the cache
    return essay


def test_a_failed_insert_keeps_the_text_and_a_retry_stores_it_once(client, essay):
    with database_fails(inserting_a_comment):
        response = post(client, essay)
    assert_text_kept_for_a_retry(response)
    assert Comment.objects.count() == 0
    assert post(client, essay).status_code == 302
    assert post(client, essay).status_code == 302  # sent again: the same comment
    assert Comment.objects.filter(body=BODY).count() == 1


@pytest.mark.django_db(transaction=True)  # the commit must really happen
def test_a_failure_after_the_commit_answers_that_the_comment_was_received(client, essay):
    inserted = []

    def after_the_insert(sql):
        if inserting_a_comment(sql):
            inserted.append(sql)
            return False
        return bool(inserted)  # every query after it: screening, the redirect's lookups

    with database_fails(after_the_insert):
        response = post(client, essay)
    comment = Comment.objects.get(body=BODY)
    assert response.status_code == 302
    assert response["Location"] == comment.get_absolute_url()
    assert comment.status == Comment.Status.PENDING  # screening failed: a moderator sees it
    assert post(client, essay).status_code == 302
    assert Comment.objects.filter(body=BODY).count() == 1


def test_the_form_comes_back_even_when_the_essay_is_not_in_the_cache(client, essay):
    from tests.isolation import clear_this_runs_cache

    clear_this_runs_cache()
    with database_fails(every_query):
        response = post(client, essay)
    assert_text_kept_for_a_retry(response)
    assert f'action="/essays/{essay.slug}/comment/"' in response.content.decode()


def test_a_refusal_shown_while_the_database_is_down_keeps_the_text(client, essay, settings):
    settings.MODERATION_RATE = 1
    post(client, essay, body="The first one.")
    looked_for_a_repeat = []

    def after_the_repeat_check(sql):  # the flood limit answers; the page around it fails
        if looked_for_a_repeat:
            return True
        if 'FROM "comments_comment"' in sql:
            looked_for_a_repeat.append(sql)
        return False

    with database_fails(after_the_repeat_check):
        response = post(client, essay)
    assert response.status_code == 429
    assert "commenting too quickly" in response.content.decode()
    assert BODY in response.content.decode()


def test_other_reader_posts_answer_try_again_when_the_database_is_down(client, essay):
    comment = make_comment(essay)
    with database_fails(every_query):
        answers = {
            "hide": client.post(f"/comments/{comment.pk}/hide/", **SAME_ORIGIN),
            "report": client.post(
                f"/comments/{comment.pk}/report/", {"reason": "spam"}, **SAME_ORIGIN
            ),
            "continue": client.post(f"/essays/{essay.slug}/continue/", **SAME_ORIGIN),
            "preferences": client.post("/preferences/", {"hide": ["1"]}, **SAME_ORIGIN),
            "essay list": client.get("/"),
        }
        dialog = client.post(
            f"/comments/{comment.pk}/hide/", HTTP_ACCEPT="application/json", **SAME_ORIGIN
        )
    for what, response in answers.items():
        assert response.status_code == 503, what
        assert "Please try again in a moment" in response.content.decode(), what
    assert dialog.status_code == 503
    assert dialog.json() == {"ok": False, "message": dialog.json()["message"]}
    assert "try again in a moment" in dialog.json()["message"]


# -- real connections killed on PostgreSQL ---------------------------------------------------


def _terminate(pid: int) -> None:
    """Kill a backend from a second connection, as a database restart or a proxy would."""
    import psycopg

    params = {k: v for k, v in connection.get_connection_params().items() if k != "context"}
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@contextlib.contextmanager
def connection_killed(at):
    """Terminate this request's own database connection just before the query `at` picks."""

    def wrapper(execute, sql, params, many, context):
        if at(sql):
            _terminate(connection.connection.info.backend_pid)
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(wrapper):
            yield
    finally:
        # A server's request_finished closes a dead connection; the test client does not.
        connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_terminate_backend needs PostgreSQL"
)
def test_a_connection_killed_at_the_insert_keeps_the_text_on_postgresql():
    client = Client()
    essay = make_essay("Killed", body="Essay body.")
    client.get(essay.get_absolute_url())
    with connection_killed(inserting_a_comment):
        response = post(client, essay)
    assert_text_kept_for_a_retry(response)
    assert Comment.objects.count() == 0
    assert post(client, essay).status_code == 302
    assert Comment.objects.filter(body=BODY).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_terminate_backend needs PostgreSQL"
)
def test_a_connection_killed_after_the_commit_answers_received_on_postgresql():
    client = Client()
    essay = make_essay("Killed later", body="Essay body.")
    client.get(essay.get_absolute_url())
    inserted = []

    def right_after_the_insert(sql):
        if inserting_a_comment(sql):
            inserted.append(sql)
            return False
        return len(inserted) == 1 and not inserted.append(sql)  # once, the next query

    with connection_killed(right_after_the_insert):
        response = post(client, essay)
    comment = Comment.objects.get(body=BODY)
    assert response.status_code == 302
    assert response["Location"] == comment.get_absolute_url()
    assert post(client, essay).status_code == 302
    assert Comment.objects.filter(body=BODY).count() == 1


def test_a_commenter_with_a_session_gets_their_text_back_too(client, essay):
    assert post(client, essay, body="An earlier comment.").status_code == 302
    assert "sessionid" in client.cookies  # their pending comment is remembered
    with database_fails(every_query):  # the session cannot even be read
        response = post(client, essay)
    assert_text_kept_for_a_retry(response)
    assert post(client, essay).status_code == 302
    assert Comment.objects.filter(body=BODY).count() == 1
    # The session was not overwritten: both pending comments still show as theirs.
    page = client.get(essay.get_absolute_url()).content.decode()
    assert "An earlier comment." in page and BODY in page


def test_a_session_that_cannot_be_saved_does_not_turn_a_stored_comment_into_an_error(client, essay):
    assert post(client, essay, body="An earlier comment.").status_code == 302
    with database_fails(lambda sql: sql.startswith('UPDATE "django_session"')):
        response = post(client, essay)
    assert response.status_code == 302  # not the 400 Django gives an UpdateError
    assert Comment.objects.filter(body=BODY).count() == 1
