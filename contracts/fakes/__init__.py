"""In-process fakes of each vendor, written from the vendors' docs."""
