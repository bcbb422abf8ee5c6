"""apinode-admin: administer Dataiku DSS API nodes from anywhere."""

__version__ = "0.1.0"
