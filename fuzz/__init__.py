"""Fuzz targets for openai_proto's parsers (plain functions) and an atheris runner."""

from __future__ import annotations
