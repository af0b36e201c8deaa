"""Domain operations shared by the web views, the CLI, the demo and the importer."""
