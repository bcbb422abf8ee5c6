"""Commands that call the user API of a service: one per kind of endpoint, and batches."""
