"""The SM Fusion Processing provider and its algorithms (one module per algorithm)."""
