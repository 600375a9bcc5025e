"""trainer.find: row numbers, classes (any case, unique prefixes, class:), attribute values (=1/=0, not, !,
attr:), and one message for a query that matches nothing."""

import numpy as np
import pytest

from trainer.errors import ConfigError
from trainer.find import find, vocabulary

LABELS = np.array([0, 1, 2, 1, 0, 2, 2])
CLASSES = ["Shirt", "Sneaker", "Sandal"]
ATTRS = np.array([[1, 0], [0, 0], [1, 1], [0, 1], [1, 0], [0, 0], [1, 1]], bool)
NAMES = ["Smiling", "Sandal strap"]


def rows(query: str):
    return find(query, LABELS, CLASSES, ATTRS, NAMES).rows.tolist()


@pytest.mark.parametrize("query", ["3", "#3", " #3 "])
def test_a_number_jumps_to_that_row(query):
    found = find(query, LABELS, CLASSES)
    assert found.jump == 3 and found.rows.tolist() == [3] and found.text == "#3"


@pytest.mark.parametrize(("query", "expected"), [("Sneaker", [1, 3]), ("sneaker", [1, 3]), ("sne", [1, 3]),
                                                 ("Shirt", [0, 4]), ("class:sandal", [2, 5, 6])])
def test_a_class_by_name_or_unique_prefix(query, expected):
    assert rows(query) == expected


@pytest.mark.parametrize(("query", "expected", "text"),
                         [("Smiling", [0, 2, 4, 6], "Smiling = yes"),
                          ("smiling=1", [0, 2, 4, 6], "Smiling = yes"),
                          ("Smiling = no", [1, 3, 5], "Smiling = no"),
                          ("not smiling", [1, 3, 5], "Smiling = no"),
                          ("!Smiling", [1, 3, 5], "Smiling = no"),
                          ("attr:sandal", [2, 3, 6], "Sandal strap = yes"),
                          ("not Smiling=0", [0, 2, 4, 6], "Smiling = yes")])
def test_an_attribute_value(query, expected, text):
    found = find(query, LABELS, CLASSES, ATTRS, NAMES)
    assert found.rows.tolist() == expected and found.text == text and found.jump is None


def test_classes_win_over_attributes_and_an_ambiguous_prefix_finds_nothing():
    assert rows("Sandal") == [2, 5, 6]  # the class, not the attribute "Sandal strap"
    with pytest.raises(ConfigError, match="nothing called 's'"):
        rows("s")


@pytest.mark.parametrize(("query", "message"),
                         [("99", "no row 99: rows go from 0 to 6"), ("", "type a class"),
                          ("Coat", "nothing called 'Coat': classes Shirt, Sneaker, Sandal; "
                                   "attributes Smiling, Sandal strap; or a row number"),
                          ("Smiling=maybe", "1 or 0")])
def test_one_message_when_nothing_matches(query, message):
    with pytest.raises(ConfigError, match=message):
        rows(query)


def test_the_vocabulary_offers_classes_and_attribute_values():
    expected = [*CLASSES, "Smiling", "Sandal strap", "not Smiling", "not Sandal strap"]
    assert vocabulary(CLASSES, NAMES) == expected
