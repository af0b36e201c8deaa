"""The CLB's answer to its results (terugkoppelen): its reaction and its actions."""
