"""Akismet test clients (the library's TestSyncClient: no network) that remember calls."""

import akismet

CALLS: list[tuple[str, dict]] = []


class _Recording(akismet.TestSyncClient):
    def comment_check(self, user_ip, **kwargs):
        CALLS.append(("comment_check", {"user_ip": user_ip, **kwargs}))
        return super().comment_check(user_ip, **kwargs)

    def submit_spam(self, user_ip, **kwargs):
        CALLS.append(("submit_spam", {"user_ip": user_ip, **kwargs}))
        return super().submit_spam(user_ip, **kwargs)

    def submit_ham(self, user_ip, **kwargs):
        CALLS.append(("submit_ham", {"user_ip": user_ip, **kwargs}))
        return super().submit_ham(user_ip, **kwargs)


class HamClient(_Recording):
    comment_check_response = akismet.CheckResponse.HAM


class SpamClient(_Recording):
    comment_check_response = akismet.CheckResponse.SPAM


class DiscardClient(_Recording):
    comment_check_response = akismet.CheckResponse.DISCARD


class InvalidKeyClient(_Recording):
    comment_check_response = akismet.CheckResponse.HAM
    verify_key_response = False
