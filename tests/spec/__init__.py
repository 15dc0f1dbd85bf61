"""Tests of contracts.spec."""
