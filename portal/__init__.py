"""The portal put together: the command line (``portal ...``) that wires ``core`` (the domain),
``schema`` (the GraphQL API) and the web client into processes, and the demo data.
Nothing in ``core`` or ``schema`` imports this package (an import contract keeps it so)."""
