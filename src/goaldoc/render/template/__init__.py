"""What a template may do: the Jinja environment and its filters, the sandbox, optional columns."""
