"""The reform as a programme: the concept's measures, the acts to change and the preconditions, as data."""
