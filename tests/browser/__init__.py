"""Browser tests: the real app on a loopback port, driven by Playwright through Debian's chromium."""
