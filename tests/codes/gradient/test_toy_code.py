import itertools

import numpy as np

from codedml.codes import SURVEY_TOY_DECODING, SURVEY_TOY_ENCODING, survey_toy_code


def test_survey_toy_matrices_satisfy_a_times_b_equals_all_ones():
    np.testing.assert_array_equal(SURVEY_TOY_DECODING @ SURVEY_TOY_ENCODING, np.ones((3, 3)))


def test_survey_toy_code_decodes_with_the_printed_decoding_rows():
    code = survey_toy_code()
    for straggler in range(3):
        survivors = [w for w in range(3) if w != straggler]
        np.testing.assert_allclose(code.decoding_vector(survivors), SURVEY_TOY_DECODING[straggler], atol=1e-12)


def test_survey_toy_code_recovers_g1_plus_g2_plus_g3_from_any_two_workers():
    code = survey_toy_code()
    partials = np.array([[1.0, -2.0], [3.0, 5.0], [-4.0, 0.5]])
    messages = code.encode(partials)
    for survivors in itertools.combinations(range(3), 2):
        decoded = code.decode(list(survivors), messages[list(survivors)])
        np.testing.assert_allclose(decoded, partials.sum(axis=0), atol=1e-12)
