"""Notifications: the in-app bell, the e-mail outbox and its sender, and the administrators' incident list."""
