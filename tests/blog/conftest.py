import pytest
from django.contrib.auth.models import Group

from tests.factories import make_user


@pytest.fixture
def editor(client):
    """A member of the Editors group, signed in on `client`."""
    user = make_user("editor", is_staff=True, groups=[Group.objects.get(name="Editors")])
    client.force_login(user)
    return user
