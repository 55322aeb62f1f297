from hypothesis import given
from hypothesis import strategies as st

from portal.logging import redact

secrets_ = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=8, max_size=40)


def test_known_shapes():
    assert redact("redis://:pw123456@h:6379/0") == "redis://:***@h:6379/0"
    assert redact("Authorization: Bearer abcdefgh12345") == "Authorization: Bearer ***"
    assert redact('{"password": "hunter22"}') == '{"password": "***"}'
    assert redact("api_key=XYZ12345&x=1") == "api_key=***&x=1"
    assert redact("nothing secret here") == "nothing secret here"


@given(secret=secrets_)
def test_secret_never_survives(secret):
    for template in ("postgres://user:{}@db/x", "password={}", "token {}", "SECRET_KEY: {}"):
        assert secret not in redact(template.format(secret))
