"""The HTTP server: reads only what the pipeline wrote (SQLite and MBTiles), never geopandas."""
