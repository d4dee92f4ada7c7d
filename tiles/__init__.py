"""Vector tiles: pure tile maths and MVT encoding, geometry pyramids, and tile stores."""
