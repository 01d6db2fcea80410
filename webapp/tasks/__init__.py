"""Task lists and task forms: how people complete the user tasks of every process."""
