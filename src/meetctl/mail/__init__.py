"""Outputs by email: which reminders are due, their text, and their delivery over SMTP.

May import :mod:`meetctl.model` and :mod:`meetctl.output`; never the CLI.
"""
