"""Tests of contracts.engine."""
