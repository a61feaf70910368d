import pytest

from tumbuh.scale.generate import generate

# Small but with every rule at work: two kab/kota far apart in the list, children weighed twice in
# a month, a few over five, WHO flags, oedema (2%, far above real life, so each cell meets it),
# inactive children still measured.
GENERATED = {"kabkota": 2, "children_per_kabkota": 160, "months": 6, "oedema_rate": 0.02, "seed": 7}


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("generated")
    generate(root, **GENERATED)
    return root
