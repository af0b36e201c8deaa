"""The questionnaire engine: the model of a questionnaire, its item types (a registry, one
class per type), routing, and reading and writing questionnaire files (TOML, .xlsx).

Pure Python (no Flask, no database): the app, the CLI, the importer and the reports all
use it, and a round's snapshot is parsed by this package alone (`instrument.loader`).
"""
