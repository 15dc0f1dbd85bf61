"""Tests of contracts.transport."""
