"""What every command group shares: options, terminal, targets (a node or a fleet), rendering."""
