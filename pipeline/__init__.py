"""The pipeline: indicator tables read, normalised, joined to boundaries by vintage."""
