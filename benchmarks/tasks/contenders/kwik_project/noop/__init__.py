"""The benchmark's app: one task that does nothing, so the queue's own cost is what is measured."""
