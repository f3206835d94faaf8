"""Geography for Loketwijzer: postcodes, the gazetteer, distances and boundaries."""
