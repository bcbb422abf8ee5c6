"""Commands that call the user API of a service (predict)."""
