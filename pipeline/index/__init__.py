"""A composite levelling-up index defined as data (domains → pillars → measures), similar
areas and clusters: definitions, the pure computations, and writing their results."""
