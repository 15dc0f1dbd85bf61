"""Tests of contracts.values."""
