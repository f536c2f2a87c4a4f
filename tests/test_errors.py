"""Every exception class of the project lives in helpers.errors under one root, and a notebook's failure is
classified by its class's place in that hierarchy (papermill reports only the class name)."""

import importlib
import inspect
import pkgutil

import pytest

import helpers
from helpers import errors


def _classes():
    for module in pkgutil.walk_packages(helpers.__path__, "helpers."):
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == module.name:
                yield module.name, cls


def test_every_exception_class_of_the_package_is_in_errors_under_one_root():
    found = list(_classes())
    assert {module for module, _ in found} == {"helpers.errors"}
    assert all(issubclass(cls, errors.ReportError) for _, cls in found)
    assert {"CheckUsageError", "WrongEncodingError"} <= {cls.__name__ for _, cls in found}


@pytest.mark.parametrize("name", ["DataLossError", "NoRecordsError", "MissingKeyError", "WeakKeyError",
                                  "PublishedTotalsError"])
def test_what_is_wrong_with_the_data_or_the_key_is_a_data_stop(name):
    assert issubclass(errors.raised(name), errors.DataStop)


@pytest.mark.parametrize("name", ["SourceReadError", "ReconciliationError", "ConfigError", "NarrativeError"])
def test_a_failure_of_the_run_itself_is_not_a_data_stop(name):
    assert errors.raised(name) is getattr(errors, name)
    assert not issubclass(errors.raised(name), errors.DataStop)


@pytest.mark.parametrize("name", ["ValueError", "ZeroDivisionError", "DataStopX", "raised", ""])
def test_a_name_that_is_not_a_project_exception_is_not_classified(name):
    assert errors.raised(name) is None
