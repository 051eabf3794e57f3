"""khabar: Arabic news pages to clean articles and a structured, searchable event dataset."""

__version__ = "0.1.0"
