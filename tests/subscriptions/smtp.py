"""The SMTP server the email tests use is the benchmarks' (bench.fakes)."""

from bench.fakes import FakeSMTP as SMTPServer
from bench.fakes import free_port, html_part, text_part

__all__ = ["SMTPServer", "free_port", "html_part", "text_part"]
