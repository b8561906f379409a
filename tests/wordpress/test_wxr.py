"""Reading WXR files: namespaces from the document, CDATA or not, and bad files refused."""

import pytest

from tests.wordpress.exports import WPComment, WPPost, export_xml, write_export
from wordpress.wxr import Channel, Item, WXRError, parse_date, read_wxr


def read_all(path):
    return list(read_wxr(str(path)))


@pytest.mark.parametrize(
    ("namespace", "version"),
    [
        ("http://wordpress.org/export/1.0/", "1.0"),
        ("http://wordpress.org/export/1.1/", "1.1"),
        ("https://wordpress.org/export/1.2/", "1.2"),
    ],
)
def test_comments_are_found_whatever_namespace_the_export_declares(tmp_path, namespace, version):
    post = WPPost(1, comments=[WPComment(5, content="Hello")])
    path = write_export(tmp_path, post, namespace=namespace, version=version)
    channel, item = read_all(path)
    assert channel.version == version
    assert channel.site_url == "https://old.example.org"
    assert [c.content for c in item.comments] == ["Hello"]


def test_values_read_the_same_with_or_without_cdata(tmp_path):
    path = tmp_path / "x.xml"
    text = export_xml(WPPost(7, status="draft"))
    text = text.replace("<wp:status>draft</wp:status>", "<wp:status><![CDATA[draft]]></wp:status>")
    path.write_text(text)
    item = read_all(path)[1]
    assert item.status == "draft"
    assert item.post_id == 7


def test_a_cdata_end_split_by_the_exporter_is_joined_again(tmp_path):
    post = WPPost(1, content="a ]]]]><![CDATA[> b")
    item = read_all(write_export(tmp_path, post))[1]
    assert item.content == "a ]]> b"


def test_items_are_cleared_once_read(tmp_path):
    path = write_export(tmp_path, *[WPPost(n) for n in range(1, 4)])
    seen = [x for x in read_wxr(str(path)) if isinstance(x, Item)]
    assert [i.post_id for i in seen] == [1, 2, 3]
    assert all(i.content for i in seen)  # values were copied out before clearing


def test_zero_dates_mean_none():
    assert parse_date("0000-00-00 00:00:00") is None
    assert parse_date("") is None
    assert parse_date("2017-10-23 08:30:00").isoformat() == "2017-10-23T08:30:00+00:00"


def test_a_file_with_no_items_still_gives_its_channel(tmp_path):
    (channel,) = read_all(write_export(tmp_path))
    assert isinstance(channel, Channel)


BOMB = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&c;</title></channel></rss>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&secret;</title></channel></rss>
"""
NOT_WXR = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>A plain feed</title><item><title>x</title></item></channel></rss>
"""
NOT_RSS = '<?xml version="1.0"?><html xmlns:wp="http://wordpress.org/export/1.2/"></html>'
UNKNOWN_VERSION = export_xml(WPPost(1), namespace="http://wordpress.org/export/1.9/", version="1.9")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BOMB, "declares XML entities"),
        (EXTERNAL, "declares XML entities"),
        (NOT_WXR, "not a WordPress export"),
        (NOT_RSS, "root element is <html>"),
        (UNKNOWN_VERSION, "WXR version 1.9 is not supported"),
        (export_xml(WPPost(1))[:-200], "ends too early"),
        ("", "empty"),
        ("just some words", "not XML at all"),
        (
            '<rss xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n</rss>\n<!-- -->\n\n',
            "not well-formed XML",
        ),
    ],
    ids=[
        "bomb",
        "external-entity",
        "not-wxr",
        "not-rss",
        "version",
        "truncated",
        "empty",
        "text",
        "mismatched",
    ],  # fmt: skip
)
def test_bad_files_give_a_clear_message(tmp_path, text, message):
    path = tmp_path / "bad.xml"
    path.write_text(text)
    with pytest.raises(WXRError, match=message):
        read_all(path)


def test_a_declared_version_beyond_the_namespace_is_refused(tmp_path):
    text = export_xml(WPPost(1), namespace="http://wordpress.org/export/1.2/", version="2.0")
    path = tmp_path / "v.xml"
    path.write_text(text)
    with pytest.raises(WXRError, match="WXR version 2.0"):
        read_all(path)


def test_the_message_says_where_a_truncated_file_stops(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_text(export_xml(WPPost(1), WPPost(2))[:-300])
    with pytest.raises(WXRError) as caught:
        read_all(path)
    assert caught.value.line and caught.value.line > 10


def test_memory_does_not_grow_with_the_file(tmp_path):
    import tracemalloc

    body = "Words of a long post. " * 200
    path = write_export(tmp_path, *[WPPost(n, content=body) for n in range(1, 3001)])
    assert path.stat().st_size > 10_000_000
    tracemalloc.start()
    try:
        count = sum(1 for x in read_wxr(str(path)) if isinstance(x, Item))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 3000
    assert peak < 2_000_000  # a few items' worth, not the file's 10 MB
