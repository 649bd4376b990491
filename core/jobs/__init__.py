"""Background work: the Dramatiq broker and the actors (each thin: ids in, a core service out)."""
